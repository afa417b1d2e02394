"""Mechanics tables and the effects table the consumer tests write to.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from scelle_common.migrations import create_mechanics_tables_v1, drop_mechanics_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_mechanics_tables_v1()
    op.create_table(
        "effects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("effects")
    drop_mechanics_tables_v1()
