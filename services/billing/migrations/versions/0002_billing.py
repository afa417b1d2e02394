"""Billing files, accrued lines, invoices and their per-year counters, payments, accounts, tariff announcements.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(64)
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "billing_files",
        sa.Column("expertise_id", ID, primary_key=True),
        sa.Column("owner_account_id", ID),
        sa.Column("display_name", sa.String(1200)),
        sa.Column("status", sa.String(16)),
        sa.Column("status_version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("en_cours_at", TS),
        sa.Column("en_cours_on", sa.Date()),
        sa.Column("tariff_version", sa.String(32)),
        sa.Column("final_report_on", sa.Date()),
        sa.Column("final_report_document_id", ID),
        sa.Column("invoice_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("closed", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("billing_files_owner", "billing_files", ["owner_account_id"])
    op.create_table(
        "invoice_counters",
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
    )
    op.create_table(
        "invoices",
        sa.Column("id", ID, primary_key=True),
        sa.Column("number", sa.String(16), nullable=False, unique=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("expertise_id", ID, sa.ForeignKey("billing_files.expertise_id"), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tariff_version", sa.String(32), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("payment_method", sa.String(32), nullable=False),
        sa.Column("lines", postgresql.JSONB(), nullable=False),
        sa.Column("total_ht_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_ttc_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("settled", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("settled_on", sa.Date()),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("year", "sequence", name="invoices_year_sequence"),
    )
    op.create_index("invoices_expertise", "invoices", ["expertise_id"])
    op.create_index("invoices_account", "invoices", ["account_id"])
    op.create_index("invoices_unsettled_due", "invoices", ["due_on"], postgresql_where=sa.text("NOT settled"))
    op.create_table(
        "billing_lines",
        sa.Column("id", ID, primary_key=True),
        sa.Column("expertise_id", ID, sa.ForeignKey("billing_files.expertise_id"), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("source_ref", sa.String(128), nullable=False),
        sa.Column("label", sa.String(200)),
        sa.Column("unit_price_cents", sa.Integer()),
        sa.Column("accrued_at", TS, nullable=False),
        sa.Column("accrued_on", sa.Date(), nullable=False),
        sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id")),
        sa.Column("event_id", sa.String(64)),
        sa.UniqueConstraint("expertise_id", "code", "source_ref", name="billing_lines_once"),
    )
    op.create_index("billing_lines_pending", "billing_lines", ["expertise_id"],
                    postgresql_where=sa.text("invoice_id IS NULL"))
    op.create_index("billing_lines_invoice", "billing_lines", ["invoice_id"])
    op.create_table(
        "payments",
        sa.Column("id", ID, primary_key=True),
        sa.Column("invoice_id", ID, sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(200)),
        sa.Column("recorded_by", ID, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("idempotency_key", sa.String(200)),
        sa.UniqueConstraint("recorded_by", "idempotency_key", name="payments_idempotency"),
    )
    op.create_index("payments_invoice", "payments", ["invoice_id"])
    op.create_table(
        "billing_accounts",
        sa.Column("account_id", ID, primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("incident_on", sa.Date()),
        sa.Column("notice_sent_on", sa.Date()),
        sa.Column("suspended_on", sa.Date()),
        sa.Column("termination_received_on", sa.Date()),
        sa.Column("termination_effective_on", sa.Date()),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("billing_accounts_in_dunning", "billing_accounts", ["account_id"],
                    postgresql_where=sa.text("incident_on IS NOT NULL"))
    op.create_table(
        "tariff_announcements",
        sa.Column("version", sa.String(32), primary_key=True),
        sa.Column("announced_on", sa.Date(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("published_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("tariff_announcements", "billing_accounts", "payments", "billing_lines", "invoices",
                  "invoice_counters", "billing_files"):
        op.drop_table(table)
