"""Tables of the documents database (mechanics tables live in scelle_common.tables).

* ``vault_expertises``, ``vault_parties``, ``vault_participants``: the read model built from
  ``expertise.*`` events — every access decision is taken from them, locally.
* ``vault_designations``: designation dossiers from ``designation.*`` events (designator, expert,
  status), whose folders ``designation/<id>/demande|reponse`` hold the designation's files.
* ``folders``, ``documents``, ``document_reads``, ``document_shares``: the vault itself.
  ``documents.object_key`` is random (never derived from user input); a row exists only once its
  object is complete on S3.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()
ID = String(64)

vault_expertises = Table(
    "vault_expertises",
    metadata,
    Column("id", ID, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("display_name", String(1200), nullable=False),
    Column("owner_account_id", ID),
    Column("designation_id", ID),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

vault_designations = Table(
    "vault_designations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("designator_account_id", ID, nullable=False),
    Column("expert_account_id", ID, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

vault_parties = Table(
    "vault_parties",
    metadata,
    Column("id", ID, primary_key=True),
    Column("expertise_id", ID, ForeignKey("vault_expertises.id"), nullable=False, index=True),
    Column("name", String(400), nullable=False),
    Column("version", Integer, nullable=False),
)

vault_participants = Table(
    "vault_participants",
    metadata,
    Column("id", ID, primary_key=True),
    Column("expertise_id", ID, ForeignKey("vault_expertises.id"), nullable=False, index=True),
    Column("account_id", ID, index=True),
    Column("role", String(32), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("removed", Boolean, nullable=False),
    Column("party_ids", ARRAY(ID), nullable=False),
    Column("display_name", String(260), nullable=False),
    Column("version", Integer, nullable=False),
)

folders = Table(
    "folders",
    metadata,
    Column("id", ID, primary_key=True),
    Column("expertise_id", ID, ForeignKey("vault_expertises.id")),
    Column("designation_id", ID, ForeignKey("vault_designations.id"), index=True),
    Column("path", String(400), nullable=False),
    Column("kind", String(100), nullable=False),
    Column("owner_ref", ID),
    Column("label", String(600), nullable=False),
    Column("parent_id", ID, ForeignKey("folders.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", ID),
    UniqueConstraint("expertise_id", "path", name="uq_folders_expertise_path"),
)

documents = Table(
    "documents",
    metadata,
    Column("id", ID, primary_key=True),
    Column("expertise_id", ID, ForeignKey("vault_expertises.id"), index=True),
    Column("designation_id", ID, ForeignKey("vault_designations.id")),
    Column("folder_id", ID, ForeignKey("folders.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("file_name", String(400), nullable=False),
    Column("original_name", Text, nullable=False),
    Column("search_name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("media_type", String(200), nullable=False),
    Column("declared_media_type", String(200)),
    # Not unique: a designation's request files are filed into expert/designation of the new
    # expertise as new rows on the same object (same bytes, same hashes).
    Column("object_key", String(300), nullable=False, index=True),
    Column("source_document_id", ID),
    Column("depositor_account_id", ID, nullable=False, index=True),
    Column("depositor_role", String(32)),
    Column("cert_fingerprint", String(128)),
    Column("deposited_at", DateTime(timezone=True), nullable=False),
    Column("locked_at", DateTime(timezone=True)),
    Column("locked_by", ID),
    Column("lock_reason", Text),
    Column("receipt", JSONB, nullable=False),
    # Idempotency-Key of the deposit: a retried upload returns the first document (per depositor).
    Column("idempotency_key", String(200)),
    Index("ix_documents_folder_order", "folder_id", "deposited_at", "id"),
    UniqueConstraint("depositor_account_id", "idempotency_key", name="uq_documents_idempotency_key"),
)

document_reads = Table(
    "document_reads",
    metadata,
    Column("document_id", ID, ForeignKey("documents.id"), primary_key=True),
    Column("account_id", ID, primary_key=True),
    Column("first_read_at", DateTime(timezone=True), nullable=False),
    Index("ix_document_reads_account", "account_id"),
)

document_shares = Table(
    "document_shares",
    metadata,
    Column("document_id", ID, ForeignKey("documents.id"), primary_key=True),
    Column("participant_id", ID, primary_key=True),
    Column("shared_by", ID, nullable=False),
    Column("shared_at", DateTime(timezone=True), nullable=False),
)
