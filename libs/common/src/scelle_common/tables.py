"""The mechanics tables every service database holds: outbox, inbox, audit log.

They live in their own :data:`metadata` so a service's Alembic environment can
compare both its own models and these (``target_metadata=[service, mechanics]``)
and ``alembic check`` covers them. Each service creates them in its first
migration through :mod:`scelle_common.migrations`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

outbox = Table(
    "outbox",
    metadata,
    Column("position", BigInteger, Identity(always=True), primary_key=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("event_name", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Column("unroutable", Boolean, nullable=False, server_default=text("false")),
    Column("publish_attempts", Integer, nullable=False, server_default=text("0")),
    Index("ix_outbox_unsent", "position", postgresql_where=text("sent_at IS NULL")),
    comment="Events written in the same transaction as the change they announce; the relay publishes them.",
)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", String(200), primary_key=True),
    Column("source", String(200), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("event_name", String(200), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="Events already applied by a consumer, written in the same transaction as their effect.",
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, Identity(always=False), primary_key=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("account_id", String(64)),
    Column("profile", String(32)),
    Column("cert_fingerprint", String(64)),
    Column("cert_serial", String(64)),
    Column("client_ip", String(64)),
    Column("action", String(100), nullable=False),
    Column("target", String(300), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False, unique=True),
    comment="Append-only, hash-chained evidence of every access and action.",
)
