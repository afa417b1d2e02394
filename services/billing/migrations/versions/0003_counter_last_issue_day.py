"""Invoice counters remember the last issue day, so numbers can never go back in time.

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
    op.add_column("invoice_counters", sa.Column("last_issued_on", sa.Date(), nullable=True))
    op.execute("UPDATE invoice_counters c SET last_issued_on = "
               "(SELECT max(issued_on) FROM invoices i WHERE i.year = c.year)")


def downgrade() -> None:
    op.drop_column("invoice_counters", "last_issued_on")
