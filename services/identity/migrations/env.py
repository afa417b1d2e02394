"""Alembic environment of the identity database."""

from scelle_common.migrations import run_migrations
from scelle_identity.adapters.orm import metadata

run_migrations(metadata, "IDENTITY_DATABASE_URL")
