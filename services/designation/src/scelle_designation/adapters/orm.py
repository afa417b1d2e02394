"""Tables of the designation database (mechanics tables live in scelle_common.tables).

A designation is one row; its reminders and the dossier's files (as the vault announced them)
hang off it. Expert and designator snapshots and the naming fields are JSONB: they are read
whole, never queried field by field.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
ID = String(64)

designations = Table(
    "designations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("designator_account_id", ID, nullable=False),
    Column("designator_profile", String(16), nullable=False),
    Column("designator", JSONB, nullable=False),
    Column("expert_account_id", ID),
    Column("expert", JSONB),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("withdrawn_at", DateTime(timezone=True)),
    Column("answered_at", DateTime(timezone=True)),
    Column("naming", JSONB),
    Column("portalis_number", String(32)),
    Column("mission", Text),
    Column("justification", Text),
    Index("ix_designations_designator", "designator_account_id", "status", "created_at"),
    Index("ix_designations_expert", "expert_account_id", "status", "sent_at"),
)

designation_reminders = Table(
    "designation_reminders",
    metadata,
    Column("designation_id", ID, ForeignKey("designations.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("reminded_at", DateTime(timezone=True), nullable=False),
)

designation_files = Table(
    "designation_files",
    metadata,
    Column("document_id", ID, primary_key=True),
    Column("designation_id", ID, ForeignKey("designations.id"), nullable=False, index=True),
    Column("part", String(8), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("media_type", String(200)),
    Column("deposited_at", DateTime(timezone=True), nullable=False),
    Column("depositor_account_id", ID),
    Column("removed_at", DateTime(timezone=True)),
)

# identity's directory as last announced (identity.account_registered/updated, accounts_merged).
directory_accounts = Table(
    "directory_accounts",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("account_version", Integer, nullable=False),
    Column("profile", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("given_name", String(100)),
    Column("surname", String(100)),
    Column("email", String(254)),
    Column("court_code", String(64)),
    Column("national_list", Boolean),
    Column("specialities", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("operation", String(64), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("body", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
