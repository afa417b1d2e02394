"""Alembic environment of the billing database."""

from scelle_common.migrations import run_migrations
from scelle_billing.adapters.orm import metadata

run_migrations(metadata, "BILLING_DATABASE_URL")
