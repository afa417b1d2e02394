"""Expertises, parties, participants, status history, read models, idempotency; French search.

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


def upgrade() -> None:
    # Both extensions are "trusted": the database owner may create them.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # to_tsvector('french', unaccent(x)) cannot be indexed (unaccent is not immutable): a text
    # search configuration chaining unaccent and french_stem can.
    op.execute("CREATE TEXT SEARCH CONFIGURATION fr_unaccent (COPY = french)")
    op.execute("ALTER TEXT SEARCH CONFIGURATION fr_unaccent ALTER MAPPING FOR hword, hword_part, word "
               "WITH unaccent, french_stem")

    op.create_table(
        "expertises",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("first_applicant", sa.String(128), nullable=False),
        sa.Column("first_defender", sa.String(128), nullable=False),
        sa.Column("jurisdiction", sa.String(128), nullable=False),
        sa.Column("rg_number", sa.String(128), nullable=False),
        sa.Column("record_number", sa.String(128), nullable=True),
        sa.Column("expert_name", sa.String(128), nullable=False),
        sa.Column("mi_number", sa.String(12), nullable=True),
        sa.Column("designation_date", sa.Date(), nullable=False),
        sa.Column("display_name", sa.String(1200), nullable=False),
        sa.Column("portalis_number", sa.String(32), nullable=True),
        sa.Column("mission", sa.Text(), nullable=True),
        sa.Column("consignation_date", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("owner_account_id", sa.String(64), nullable=False),
        sa.Column("designation_id", sa.String(64), nullable=True),
        sa.Column("designated_by_account_id", sa.String(64), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("en_cours_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("terminee_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(),
                  sa.Computed("to_tsvector('fr_unaccent'::regconfig, search_text)", persisted=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("designation_id"),
        comment="The cases: naming fields, status, dates; one row per expertise.",
    )
    op.create_index("ix_expertises_owner_account_id", "expertises", ["owner_account_id"])
    op.create_index("ix_expertises_search_vector", "expertises", ["search_vector"], postgresql_using="gin")
    op.create_index("ix_expertises_search_trgm", "expertises", ["search_text"], postgresql_using="gin",
                    postgresql_ops={"search_text": "gin_trgm_ops"})

    op.create_table(
        "parties",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("expertise_id", sa.String(64), sa.ForeignKey("expertises.id"), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("representation", sa.String(24), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        comment="Parties of each case (demandeur, défendeur, intervenant) and how they are represented.",
    )
    op.create_index("ix_parties_expertise_id", "parties", ["expertise_id"])

    op.create_table(
        "participants",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("expertise_id", sa.String(64), sa.ForeignKey("expertises.id"), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("given_name", sa.String(128), nullable=True),
        sa.Column("surname", sa.String(128), nullable=True),
        sa.Column("phone_fixed", sa.String(32), nullable=True),
        sa.Column("phone_mobile", sa.String(32), nullable=True),
        sa.Column("party_ids", postgresql.ARRAY(sa.String(64)), server_default="{}", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("en_charge", sa.Boolean(), nullable=False),
        sa.Column("invitation_pending", sa.Boolean(), nullable=False),
        sa.Column("invitation_event_id", sa.String(64), nullable=True),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.String(64), nullable=True),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        comment="Who takes part in each case, in which role (= rights-matrix role), active or not.",
    )
    op.create_index("ix_participants_expertise_id", "participants", ["expertise_id"])
    op.create_index("ix_participants_account_access", "participants", ["account_id", "expertise_id"],
                    postgresql_where=sa.text("removed_at IS NULL AND active"))
    op.create_index("ix_participants_invitation_event", "participants", ["invitation_event_id"],
                    postgresql_where=sa.text("invitation_event_id IS NOT NULL"))

    op.create_table(
        "status_history",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("expertise_id", sa.String(64), sa.ForeignKey("expertises.id"), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(64), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expertise_version", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        comment="Every status change of every case: from, to, who, when, why.",
    )
    op.create_index("ix_status_history_expertise_id", "status_history", ["expertise_id"])

    op.create_table(
        "expertise_documents",
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("expertise_id", sa.String(64), nullable=False),
        sa.Column("folder", sa.String(300), nullable=True),
        sa.Column("deposited_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("document_id"),
        comment="Read model fed by documents.document_deposited: documents per case (statistics).",
    )
    op.create_index("ix_expertise_documents_expertise_id", "expertise_documents", ["expertise_id"])

    op.create_table(
        "document_reads",
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("expertise_id", sa.String(64), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "document_id"),
        comment="Read model fed by documents.document_deposited (audience) and document_read: unread marks.",
    )
    op.create_index("ix_document_reads_unread", "document_reads", ["account_id", "expertise_id"],
                    postgresql_where=sa.text("read_at IS NULL"))

    op.create_table(
        "idempotency_keys",
        sa.Column("account_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("operation", sa.String(100), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "key"),
        comment="Responses of creating POSTs by (account, Idempotency-Key), replayed on a retry.",
    )

    op.create_table(
        "consumed_versions",
        sa.Column("aggregate", sa.String(64), nullable=False),
        sa.Column("aggregate_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("aggregate", "aggregate_id"),
        comment="Highest version applied per foreign aggregate: older events are dropped.",
    )


def downgrade() -> None:
    for table in ("consumed_versions", "idempotency_keys", "document_reads", "expertise_documents",
                  "status_history", "participants", "parties", "expertises"):
        op.drop_table(table)
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_unaccent")
