"""Alembic helpers shared by every service's migration history.

* :func:`run_migrations` is the whole body of a service's ``migrations/env.py``:
  online migrations under an advisory lock (two migration jobs never race) with
  lock and statement timeouts, comparing the service's models and the
  mechanics tables.
* :func:`create_mechanics_tables_v1` creates outbox, inbox and audit log in a
  service's first revision. It is versioned: a later change to those tables is
  a new function used by a new revision, never an edit of this one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy import MetaData, create_engine, text

from scelle_common.tables import metadata as mechanics_metadata

_MIGRATION_LOCK_ID = 7_301_101


def run_migrations(service_metadata: MetaData, database_url_variable: str) -> None:
    """Run the current Alembic command against ``$database_url_variable``.

    The URL can also come from ``sqlalchemy.url`` in the Alembic config (tests
    set it programmatically).
    """
    config = context.config
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(database_url_variable)
    if not url:
        raise SystemExit(f"{database_url_variable} is required to run migrations")
    targets: Sequence[MetaData] = [service_metadata, mechanics_metadata]
    engine = create_engine(url)
    with engine.connect() as connection:
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.execute(text("SET statement_timeout = '300s'"))
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
        connection.commit()
        try:
            context.configure(connection=connection, target_metadata=list(targets), compare_type=True)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID})
            connection.commit()
    engine.dispose()


def create_mechanics_tables_v1() -> None:
    """Create the outbox, inbox and audit_log tables (first revision of every service)."""
    op.create_table(
        "outbox",
        sa.Column("position", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_name", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unroutable", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("publish_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("position"),
        sa.UniqueConstraint("event_id"),
        comment="Events written in the same transaction as the change they announce; the relay publishes them.",
    )
    op.create_index(
        "ix_outbox_unsent", "outbox", ["position"], postgresql_where=sa.text("sent_at IS NULL")
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(200), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_name", sa.String(200), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "source", "event_id"),
        comment="Events already applied by a consumer, written in the same transaction as their effect.",
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=True),
        sa.Column("profile", sa.String(32), nullable=True),
        sa.Column("cert_fingerprint", sa.String(64), nullable=True),
        sa.Column("cert_serial", sa.String(64), nullable=True),
        sa.Column("client_ip", sa.String(64), nullable=True),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("details", sa.dialects.postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("row_hash"),
        comment="Append-only, hash-chained evidence of every access and action.",
    )
    # Evidence must not be rewritten, even by a buggy release: only INSERT is allowed.
    op.execute(
        """
        CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only';
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()"
    )


def drop_mechanics_tables_v1() -> None:
    """Undo :func:`create_mechanics_tables_v1`."""
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_is_append_only()")
    op.drop_table("audit_log")
    op.drop_table("inbox")
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_table("outbox")
