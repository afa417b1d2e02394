"""Designations, their reminders, the dossier files announced by the vault, idempotency keys.

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
    op.create_table(
        "designations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("designator_account_id", sa.String(64), nullable=False),
        sa.Column("designator_profile", sa.String(16), nullable=False),
        sa.Column("designator", postgresql.JSONB(), nullable=False),
        sa.Column("expert_account_id", sa.String(64), nullable=True),
        sa.Column("expert", postgresql.JSONB(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("naming", postgresql.JSONB(), nullable=True),
        sa.Column("portalis_number", sa.String(32), nullable=True),
        sa.Column("mission", sa.Text(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=True),
    )
    op.create_index("ix_designations_designator", "designations",
                    ["designator_account_id", "status", "created_at"])
    op.create_index("ix_designations_expert", "designations", ["expert_account_id", "status", "sent_at"])
    op.create_table(
        "designation_reminders",
        sa.Column("designation_id", sa.String(64), sa.ForeignKey("designations.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "designation_files",
        sa.Column("document_id", sa.String(64), primary_key=True),
        sa.Column("designation_id", sa.String(64), sa.ForeignKey("designations.id"), nullable=False),
        sa.Column("part", sa.String(8), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=True),
        sa.Column("deposited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("depositor_account_id", sa.String(64), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_designation_files_designation_id", "designation_files", ["designation_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_index("ix_designation_files_designation_id", table_name="designation_files")
    op.drop_table("designation_files")
    op.drop_table("designation_reminders")
    op.drop_index("ix_designations_expert", table_name="designations")
    op.drop_index("ix_designations_designator", table_name="designations")
    op.drop_table("designations")
