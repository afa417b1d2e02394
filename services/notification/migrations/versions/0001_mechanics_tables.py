"""Outbox, inbox and audit log.

Revision ID: 0001
Revises:
"""

from scelle_common.migrations import create_mechanics_tables_v1, drop_mechanics_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_mechanics_tables_v1()


def downgrade() -> None:
    drop_mechanics_tables_v1()
