"""The account that designated the expert of each expertise (told by designation mails, not as a
new participant).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("expertises", sa.Column("designated_by_account_id", sa.String(64)))


def downgrade() -> None:
    op.drop_column("expertises", "designated_by_account_id")
