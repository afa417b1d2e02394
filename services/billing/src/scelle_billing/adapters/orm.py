"""Tables of the billing database (mechanics tables live in scelle_common.tables).

SQLAlchemy Core tables: the use cases read and write rows through ``adapters.repository`` and
hand the pure domain plain values, which keeps the daily run over 100,000 files set-based.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
ID = String(64)

# One billing file per expertise: what the events told us, the frozen tariff, the schedule's facts.
billing_files = Table(
    "billing_files",
    metadata,
    Column("expertise_id", ID, primary_key=True),
    Column("owner_account_id", ID),
    Column("display_name", String(1200)),
    Column("status", String(16)),
    Column("status_version", Integer, nullable=False, server_default="0"),
    Column("en_cours_at", DateTime(timezone=True)),
    Column("en_cours_on", Date),
    Column("tariff_version", String(32)),
    Column("final_report_on", Date),
    Column("final_report_document_id", ID),
    Column("invoice_count", Integer, nullable=False, server_default="0"),
    Column("closed", Boolean, nullable=False, server_default="false"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("billing_files_owner", "owner_account_id"),
)

# Accrued lines: one per (expertise, tariff line, source) — the source is the expertise itself for
# reservation and opening, the party id, or the software certificate's serial.
billing_lines = Table(
    "billing_lines",
    metadata,
    Column("id", ID, primary_key=True),
    Column("expertise_id", ID, ForeignKey("billing_files.expertise_id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("source_ref", String(128), nullable=False),
    Column("label", String(200)),
    Column("unit_price_cents", Integer),
    Column("accrued_at", DateTime(timezone=True), nullable=False),
    Column("accrued_on", Date, nullable=False),
    Column("invoice_id", ID, ForeignKey("invoices.id")),
    Column("event_id", String(64)),
    UniqueConstraint("expertise_id", "code", "source_ref", name="billing_lines_once"),
    Index("billing_lines_pending", "expertise_id", postgresql_where=text("invoice_id IS NULL")),
    Index("billing_lines_invoice", "invoice_id"),
)

# Gap-free numbering: one row per year, incremented under its row lock in the invoice's transaction.
invoice_counters = Table(
    "invoice_counters",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("last_sequence", Integer, nullable=False),
    Column("last_issued_on", Date),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", ID, primary_key=True),
    Column("number", String(16), nullable=False, unique=True),
    Column("year", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("expertise_id", ID, ForeignKey("billing_files.expertise_id"), nullable=False),
    Column("account_id", ID, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("tariff_version", String(32), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("payment_method", String(32), nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("total_ht_cents", BigInteger, nullable=False),
    Column("vat_cents", BigInteger, nullable=False),
    Column("total_ttc_cents", BigInteger, nullable=False),
    Column("paid_cents", BigInteger, nullable=False, server_default="0"),
    Column("settled", Boolean, nullable=False, server_default="false"),
    Column("settled_on", Date),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("year", "sequence", name="invoices_year_sequence"),
    Index("invoices_expertise", "expertise_id"),
    Index("invoices_account", "account_id"),
    Index("invoices_unsettled_due", "due_on", postgresql_where=text("NOT settled")),
)

payments = Table(
    "payments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("invoice_id", ID, ForeignKey("invoices.id"), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("method", String(32), nullable=False),
    Column("reference", String(200)),
    Column("recorded_by", ID, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("idempotency_key", String(200)),
    UniqueConstraint("recorded_by", "idempotency_key", name="payments_idempotency"),
    Index("payments_invoice", "invoice_id"),
)

# Per owner account: dunning state and termination of the subscription.
billing_accounts = Table(
    "billing_accounts",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("incident_on", Date),
    Column("notice_sent_on", Date),
    Column("suspended_on", Date),
    Column("termination_received_on", Date),
    Column("termination_effective_on", Date),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("billing_accounts_in_dunning", "account_id", postgresql_where=text("incident_on IS NOT NULL")),
)

tariff_announcements = Table(
    "tariff_announcements",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("announced_on", Date, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)
