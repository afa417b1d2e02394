"""Deposits accept an Idempotency-Key: a retried upload gives back the first document.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("idempotency_key", sa.String(length=200), nullable=True))
    op.create_unique_constraint("uq_documents_idempotency_key", "documents",
                                ["depositor_account_id", "idempotency_key"])


def downgrade() -> None:
    op.drop_constraint("uq_documents_idempotency_key", "documents", type_="unique")
    op.drop_column("documents", "idempotency_key")
