"""Tables of the notification database (mechanics tables live in scelle_common.tables).

* ``contacts``, ``preferences``, ``expertises``, ``memberships``: the contact read model fed by
  ``identity.*`` and ``expertise.*`` events (no call to another service on the hot path);
* ``activities`` + ``digest_items``: what happened (status changes, deposits) and who may be told
  about it (the deposit's ``audience``, the expertise's active members), read by the digest;
* ``digest_state``: the end of the last digest period per person;
* ``emails``: the queue and delivery log, one row per (cause, recipient).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
ID = String(64)
TS = DateTime(timezone=True)

contacts = Table(
    "contacts",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("account_version", Integer, nullable=False),
    Column("profile", String(32)),
    Column("status", String(32)),
    Column("given_name", String(128)),
    Column("surname", String(128)),
    Column("email", String(254)),
    Column("merged_into", ID),
    Column("updated_at", TS, nullable=False),
)
Index("contacts_profile", contacts.c.profile)

preferences = Table(
    "preferences",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("party_activity", Boolean, nullable=False, server_default="true"),
    Column("updated_at", TS, nullable=False),
)

expertises = Table(
    "expertises",
    metadata,
    Column("expertise_id", ID, primary_key=True),
    Column("expertise_version", Integer, nullable=False),
    Column("display_name", String(1200)),
    Column("status", String(16)),
    Column("owner_account_id", ID),
    Column("updated_at", TS, nullable=False),
    Column("designated_by_account_id", ID),
)

memberships = Table(
    "memberships",
    metadata,
    Column("participant_id", ID, primary_key=True),
    Column("expertise_id", ID, nullable=False),
    Column("expertise_version", Integer, nullable=False),
    Column("account_id", ID),
    Column("email", String(254)),
    Column("given_name", String(128)),
    Column("surname", String(128)),
    Column("role", String(32)),
    Column("party_ids", JSONB, nullable=False, server_default="[]"),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("en_charge", Boolean, nullable=False, server_default="false"),
    Column("invitation_pending", Boolean, nullable=False, server_default="false"),
    Column("updated_at", TS, nullable=False),
)
Index("memberships_expertise", memberships.c.expertise_id)
Index("memberships_account", memberships.c.account_id)

activities = Table(
    "activities",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", ID, nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("expertise_id", ID, nullable=False),
    Column("expertise_name", String(1200)),
    Column("occurred_at", TS, nullable=False),
    Column("recorded_at", TS, nullable=False),
    Column("details", JSONB, nullable=False),
)

digest_items = Table(
    "digest_items",
    metadata,
    Column("account_id", ID, nullable=False),
    Column("activity_id", BigInteger, nullable=False),
    Column("recorded_at", TS, nullable=False),
    PrimaryKeyConstraint("account_id", "activity_id", name="digest_items_pkey"),
)
Index("digest_items_account_period", digest_items.c.account_id, digest_items.c.recorded_at)
Index("digest_items_period", digest_items.c.recorded_at)

digest_state = Table(
    "digest_state",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("last_until", TS, nullable=False),
    Column("last_email_id", ID),
    Column("updated_at", TS, nullable=False),
)

emails = Table(
    "emails",
    metadata,
    Column("id", ID, primary_key=True),
    Column("dedup_key", String(200), nullable=False),
    Column("recipient_key", String(300), nullable=False),
    Column("recipient_account_id", ID),
    Column("recipient_email", String(254)),
    Column("kind", String(64), nullable=False),
    Column("recipient_name", String(300)),
    Column("context", JSONB),
    Column("subject", String(400)),
    Column("text_body", Text),
    Column("html_body", Text),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", TS, nullable=False),
    Column("lease_until", TS),
    Column("last_error", String(1000)),
    Column("smtp_code", Integer),
    Column("message_id", String(300)),
    Column("cause_event_id", ID),
    Column("expertise_id", ID),
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS),
    Column("failed_at", TS),
    UniqueConstraint("dedup_key", "recipient_key", name="emails_once_per_cause_and_recipient"),
)
Index("emails_due", emails.c.status, emails.c.next_attempt_at)
Index("emails_recipient", emails.c.recipient_account_id, emails.c.created_at)
Index("emails_created", emails.c.created_at)
