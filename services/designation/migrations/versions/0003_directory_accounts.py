"""identity's directory as last announced (expert checks and snapshots).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_accounts",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("account_version", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=True),
        sa.Column("surname", sa.String(100), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("court_code", sa.String(64), nullable=True),
        sa.Column("national_list", sa.Boolean(), nullable=True),
        sa.Column("specialities", postgresql.JSONB(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("directory_accounts")
