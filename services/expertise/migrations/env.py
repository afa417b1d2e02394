"""Alembic environment of the expertise database."""

from scelle_common.migrations import run_migrations
from scelle_expertise.adapters.orm import metadata

run_migrations(metadata, "EXPERTISE_DATABASE_URL")
