"""Contact read model, activities and digest items, digest state, e-mail queue and delivery log.

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
        "contacts",
        sa.Column("account_id", ID, primary_key=True),
        sa.Column("account_version", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(32)),
        sa.Column("status", sa.String(32)),
        sa.Column("given_name", sa.String(128)),
        sa.Column("surname", sa.String(128)),
        sa.Column("email", sa.String(254)),
        sa.Column("merged_into", ID),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("contacts_profile", "contacts", ["profile"])
    op.create_table(
        "preferences",
        sa.Column("account_id", ID, primary_key=True),
        sa.Column("party_activity", sa.Boolean(), nullable=False, server_default="true"),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "expertises",
        sa.Column("expertise_id", ID, primary_key=True),
        sa.Column("expertise_version", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(1200)),
        sa.Column("status", sa.String(16)),
        sa.Column("owner_account_id", ID),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column("participant_id", ID, primary_key=True),
        sa.Column("expertise_id", ID, nullable=False),
        sa.Column("expertise_version", sa.Integer(), nullable=False),
        sa.Column("account_id", ID),
        sa.Column("email", sa.String(254)),
        sa.Column("given_name", sa.String(128)),
        sa.Column("surname", sa.String(128)),
        sa.Column("role", sa.String(32)),
        sa.Column("party_ids", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default="true"),
        sa.Column("en_charge", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("invitation_pending", sa.Boolean(), nullable=False, server_default="false"),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("memberships_expertise", "memberships", ["expertise_id"])
    op.create_index("memberships_account", "memberships", ["account_id"])
    op.create_table(
        "activities",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("event_id", ID, nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("expertise_id", ID, nullable=False),
        sa.Column("expertise_name", sa.String(1200)),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("details", postgresql.JSONB(), nullable=False),
    )
    op.create_table(
        "digest_items",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("activity_id", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("account_id", "activity_id", name="digest_items_pkey"),
    )
    op.create_index("digest_items_account_period", "digest_items", ["account_id", "recorded_at"])
    op.create_index("digest_items_period", "digest_items", ["recorded_at"])
    op.create_table(
        "digest_state",
        sa.Column("account_id", ID, primary_key=True),
        sa.Column("last_until", TS, nullable=False),
        sa.Column("last_email_id", ID),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "emails",
        sa.Column("id", ID, primary_key=True),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("recipient_key", sa.String(300), nullable=False),
        sa.Column("recipient_account_id", ID),
        sa.Column("recipient_email", sa.String(254)),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("recipient_name", sa.String(300)),
        sa.Column("context", postgresql.JSONB()),
        sa.Column("subject", sa.String(400)),
        sa.Column("text_body", sa.Text()),
        sa.Column("html_body", sa.Text()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("lease_until", TS),
        sa.Column("last_error", sa.String(1000)),
        sa.Column("smtp_code", sa.Integer()),
        sa.Column("message_id", sa.String(300)),
        sa.Column("cause_event_id", ID),
        sa.Column("expertise_id", ID),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.Column("failed_at", TS),
        sa.UniqueConstraint("dedup_key", "recipient_key", name="emails_once_per_cause_and_recipient"),
    )
    op.create_index("emails_due", "emails", ["status", "next_attempt_at"])
    op.create_index("emails_recipient", "emails", ["recipient_account_id", "created_at"])
    op.create_index("emails_created", "emails", ["created_at"])


def downgrade() -> None:
    for table in ("emails", "digest_state", "digest_items", "activities", "memberships", "expertises",
                  "preferences", "contacts"):
        op.drop_table(table)
