"""Alembic environment of the designation database."""

from scelle_common.migrations import run_migrations
from scelle_designation.adapters.orm import metadata

run_migrations(metadata, "DESIGNATION_DATABASE_URL")
