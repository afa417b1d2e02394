"""Tables of the expertise database (mechanics tables live in scelle_common.tables) and the
imperative mapping of the domain's dataclasses onto them.

Search: ``expertises.search_text`` holds the folded (upper-case, unaccented) searchable values
of a case — names, numbers, jurisdiction, party names — kept by the domain; PostgreSQL derives
``search_vector`` from it with the ``fr_unaccent`` text search configuration (french stemming
after unaccent, created by migration 0002) and a trigram index serves numbers and prefixes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import registry, relationship

from scelle_expertise.domain import model

metadata = MetaData()
ID = String(64)

expertises = Table(
    "expertises",
    metadata,
    Column("id", ID, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("first_applicant", String(128), nullable=False),
    Column("first_defender", String(128), nullable=False),
    Column("jurisdiction", String(128), nullable=False),
    Column("rg_number", String(128), nullable=False),
    Column("record_number", String(128)),
    Column("expert_name", String(128), nullable=False),
    Column("mi_number", String(12)),
    Column("designation_date", Date, nullable=False),
    Column("display_name", String(1200), nullable=False),
    Column("portalis_number", String(32)),
    Column("mission", Text),
    Column("consignation_date", Date),
    Column("deadline", Date),
    Column("owner_account_id", ID, nullable=False, index=True),
    Column("designation_id", ID, unique=True),
    Column("designated_by_account_id", ID),
    Column("created_by", ID),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("en_cours_at", DateTime(timezone=True)),
    Column("terminee_at", DateTime(timezone=True)),
    Column("search_text", Text, nullable=False, server_default=""),
    Column("search_vector", TSVECTOR, Computed("to_tsvector('fr_unaccent'::regconfig, search_text)", persisted=True)),
    Index("ix_expertises_search_vector", "search_vector", postgresql_using="gin"),
    Index("ix_expertises_search_trgm", "search_text", postgresql_using="gin",
          postgresql_ops={"search_text": "gin_trgm_ops"}),
    comment="The cases: naming fields, status, dates; one row per expertise.",
)

parties = Table(
    "parties",
    metadata,
    Column("id", ID, primary_key=True),
    Column("expertise_id", ID, ForeignKey("expertises.id"), nullable=False, index=True),
    Column("name", String(256), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("representation", String(24), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("added_by", ID),
    comment="Parties of each case (demandeur, défendeur, intervenant) and how they are represented.",
)

participants = Table(
    "participants",
    metadata,
    Column("id", ID, primary_key=True),
    Column("expertise_id", ID, ForeignKey("expertises.id"), nullable=False, index=True),
    Column("role", String(24), nullable=False),
    Column("account_id", ID),
    Column("email", String(254)),
    Column("given_name", String(128)),
    Column("surname", String(128)),
    Column("phone_fixed", String(32)),
    Column("phone_mobile", String(32)),
    Column("party_ids", ARRAY(ID), nullable=False, server_default="{}"),
    Column("active", Boolean, nullable=False),
    Column("en_charge", Boolean, nullable=False),
    Column("invitation_pending", Boolean, nullable=False),
    Column("invitation_event_id", String(64)),
    Column("search_text", Text, nullable=False, server_default=""),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("added_by", ID),
    Column("removed_at", DateTime(timezone=True)),
    Column("removed_by", ID),
    Column("removal_reason", Text),
    # The workspace, search and statistics start from "the cases this account may see".
    Index("ix_participants_account_access", "account_id", "expertise_id",
          postgresql_where=text("removed_at IS NULL AND active")),
    Index("ix_participants_invitation_event", "invitation_event_id",
          postgresql_where=text("invitation_event_id IS NOT NULL")),
    comment="Who takes part in each case, in which role (= rights-matrix role), active or not.",
)

status_history = Table(
    "status_history",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("expertise_id", ID, ForeignKey("expertises.id"), nullable=False, index=True),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("reason", Text),
    Column("changed_by", ID),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("expertise_version", Integer, nullable=False),
    Column("reopened", Boolean, nullable=False),
    comment="Every status change of every case: from, to, who, when, why.",
)

expertise_documents = Table(
    "expertise_documents",
    metadata,
    Column("document_id", ID, primary_key=True),
    Column("expertise_id", ID, nullable=False, index=True),
    Column("folder", String(300)),
    Column("deposited_at", DateTime(timezone=True)),
    comment="Read model fed by documents.document_deposited: documents per case (statistics).",
)

document_reads = Table(
    "document_reads",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("document_id", ID, primary_key=True),
    Column("expertise_id", ID, nullable=False),
    Column("read_at", DateTime(timezone=True)),
    Index("ix_document_reads_unread", "account_id", "expertise_id", postgresql_where=text("read_at IS NULL")),
    comment="Read model fed by documents.document_deposited (audience) and document_read: unread marks.",
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("account_id", ID, primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("operation", String(100), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("body", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    comment="Responses of creating POSTs by (account, Idempotency-Key), replayed on a retry.",
)

consumed_versions = Table(
    "consumed_versions",
    metadata,
    Column("aggregate", String(64), primary_key=True),
    Column("aggregate_id", ID, primary_key=True),
    Column("version", Integer, nullable=False),
    comment="Highest version applied per foreign aggregate: older events are dropped.",
)

mapper_registry = registry()
_mapped = False


def start_mappers() -> None:
    """Map the domain dataclasses onto the tables (once per process)."""
    global _mapped
    if _mapped:
        return
    _mapped = True
    mapper_registry.map_imperatively(model.Party, parties)
    mapper_registry.map_imperatively(model.Participant, participants)
    mapper_registry.map_imperatively(model.StatusChange, status_history)
    mapper_registry.map_imperatively(
        model.Expertise,
        expertises,
        exclude_properties=["search_vector"],
        properties={
            "parties": relationship(model.Party, order_by=parties.c.added_at, lazy="selectin",
                                    cascade="all, delete-orphan"),
            "participants": relationship(model.Participant, order_by=participants.c.added_at, lazy="selectin",
                                         cascade="all, delete-orphan"),
            "history": relationship(model.StatusChange, order_by=status_history.c.expertise_version,
                                    lazy="selectin", cascade="all, delete-orphan"),
        },
    )

    @event.listens_for(model.Expertise, "load")
    def _fresh_changes(target: Any, _context: Any) -> None:
        target.__dict__["_changes"] = []
