"""Alembic environment of the notification database."""

from scelle_common.migrations import run_migrations
from scelle_notification.adapters.orm import metadata

run_migrations(metadata, "NOTIFICATION_DATABASE_URL")
