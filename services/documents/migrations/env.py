"""Alembic environment of the documents database."""

from scelle_common.migrations import run_migrations
from scelle_documents.adapters.orm import metadata

run_migrations(metadata, "DOCUMENTS_DATABASE_URL")
