"""SQLAlchemy Core repositories of the vault: folders, documents, reads, shares, the read model."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from scelle_documents.adapters.orm import (
    document_reads,
    document_shares,
    documents,
    folders,
    vault_designations,
    vault_expertises,
    vault_participants,
)
from scelle_documents.domain.designations import Designation
from scelle_documents.domain.model import Document, Expertise, Folder, Participant


def _expertise(row: Any) -> Expertise:
    return Expertise(row.id, row.status, row.display_name, row.owner_account_id)


def _participant(row: Any) -> Participant:
    return Participant(row.id, row.expertise_id, row.account_id, row.role, row.active, frozenset(row.party_ids),
                       row.display_name)


def _folder(row: Any) -> Folder:
    return Folder(row.id, row.expertise_id, row.path, row.kind, row.owner_ref, row.label, row.parent_id,
                  row.designation_id)


def _document(row: Any, shared_with: Iterable[str] = ()) -> Document:
    return Document(
        id=row.id, expertise_id=row.expertise_id, folder_id=row.folder_id, version=row.version,
        file_name=row.file_name, original_name=row.original_name, size=row.size, sha256=row.sha256,
        media_type=row.media_type, declared_media_type=row.declared_media_type, object_key=row.object_key,
        depositor_account_id=row.depositor_account_id, depositor_role=row.depositor_role,
        cert_fingerprint=row.cert_fingerprint, deposited_at=row.deposited_at, receipt=row.receipt,
        locked_at=row.locked_at, locked_by=row.locked_by, lock_reason=row.lock_reason,
        shared_with=frozenset(shared_with), designation_id=row.designation_id,
        source_document_id=row.source_document_id)


def encode_cursor(document: Document) -> str:
    raw = json.dumps([document.deposited_at.isoformat(), document.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    moment, identifier = json.loads(raw)
    return datetime.fromisoformat(moment), str(identifier)


class VaultRepository:
    """Reads and writes of the vault in one session (the unit of work's)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- who -------------------------------------------------------------------------------
    def expertise(self, expertise_id: str) -> Expertise | None:
        row = self.session.execute(select(vault_expertises).where(vault_expertises.c.id == expertise_id)).first()
        return _expertise(row) if row else None

    def designation(self, designation_id: str) -> Designation | None:
        row = self.session.execute(select(vault_designations).where(vault_designations.c.id == designation_id)).first()
        return Designation(row.id, row.status, row.designator_account_id, row.expert_account_id) if row else None

    def designation_folders(self, designation_id: str) -> list[Folder]:
        rows = self.session.execute(select(folders).where(folders.c.designation_id == designation_id)
                                    .order_by(folders.c.path)).all()
        return [_folder(row) for row in rows]

    def participations(self, expertise_id: str, account_id: str) -> list[Participant]:
        """The account's participations that were not removed (active or not)."""
        rows = self.session.execute(select(vault_participants).where(
            vault_participants.c.expertise_id == expertise_id, vault_participants.c.account_id == account_id,
            vault_participants.c.removed.is_(False))).all()
        return [_participant(row) for row in rows]

    def participants(self, expertise_id: str) -> list[Participant]:
        rows = self.session.execute(select(vault_participants).where(
            vault_participants.c.expertise_id == expertise_id, vault_participants.c.removed.is_(False))
            .order_by(vault_participants.c.display_name, vault_participants.c.id)).all()
        return [_participant(row) for row in rows]

    def expertises_of(self, account_id: str) -> list[str]:
        rows = self.session.execute(select(vault_participants.c.expertise_id).distinct().where(
            vault_participants.c.account_id == account_id, vault_participants.c.removed.is_(False),
            vault_participants.c.active.is_(True))).scalars()
        return list(rows)

    # --- folders ---------------------------------------------------------------------------
    def folders(self, expertise_id: str) -> list[Folder]:
        rows = self.session.execute(select(folders).where(folders.c.expertise_id == expertise_id)
                                    .order_by(folders.c.created_at, folders.c.path)).all()
        return [_folder(row) for row in rows]

    def folder(self, folder_id: str) -> Folder | None:
        row = self.session.execute(select(folders).where(folders.c.id == folder_id)).first()
        return _folder(row) if row else None

    def folder_by_path(self, expertise_id: str, path: str) -> Folder | None:
        row = self.session.execute(select(folders).where(folders.c.expertise_id == expertise_id,
                                                         folders.c.path == path)).first()
        return _folder(row) if row else None

    def folder_by_path_in_designation(self, designation_id: str, path: str) -> Folder | None:
        row = self.session.execute(select(folders).where(folders.c.designation_id == designation_id,
                                                         folders.c.path == path)).first()
        return _folder(row) if row else None

    def add_folder(self, folder: Folder, at: datetime, created_by: str | None) -> bool:
        """Insert ``folder`` unless its path exists; True when inserted."""
        result = self.session.execute(pg_insert(folders).values(
            id=folder.id, expertise_id=folder.expertise_id, designation_id=folder.designation_id,
            path=folder.path, kind=folder.kind,
            owner_ref=folder.owner_ref, label=folder.label, parent_id=folder.parent_id, created_at=at,
            created_by=created_by).on_conflict_do_nothing(constraint="uq_folders_expertise_path")
            .returning(folders.c.id))
        return result.scalar_one_or_none() is not None

    # --- documents -------------------------------------------------------------------------
    def _shares(self, document_ids: Sequence[str]) -> dict[str, set[str]]:
        shares: dict[str, set[str]] = {}
        if document_ids:
            for row in self.session.execute(select(document_shares.c.document_id, document_shares.c.participant_id)
                                            .where(document_shares.c.document_id.in_(document_ids))):
                shares.setdefault(row.document_id, set()).add(row.participant_id)
        return shares

    def document(self, document_id: str, *, for_update: bool = False) -> Document | None:
        query = select(documents).where(documents.c.id == document_id)
        if for_update:
            query = query.with_for_update()
        row = self.session.execute(query).first()
        if row is None:
            return None
        return _document(row, self._shares([document_id]).get(document_id, ()))

    def documents_by_ids(self, document_ids: Sequence[str]) -> list[Document]:
        rows = self.session.execute(select(documents).where(documents.c.id.in_(list(document_ids)))).all()
        shares = self._shares([row.id for row in rows])
        return [_document(row, shares.get(row.id, ())) for row in rows]

    def documents_in(self, folder_ids: Sequence[str], *, limit: int | None = None,
                     after: tuple[datetime, str] | None = None) -> list[Document]:
        query = select(documents).where(documents.c.folder_id.in_(list(folder_ids)))
        if after is not None:
            query = query.where(or_(documents.c.deposited_at > after[0],
                                    and_(documents.c.deposited_at == after[0], documents.c.id > after[1])))
        query = query.order_by(documents.c.deposited_at, documents.c.id)
        if limit is not None:
            query = query.limit(limit)
        rows = self.session.execute(query).all()
        shares = self._shares([row.id for row in rows])
        return [_document(row, shares.get(row.id, ())) for row in rows]

    def filed_sources(self, expertise_id: str) -> set[str]:
        """Documents of other folders already filed into this expertise."""
        rows = self.session.execute(select(documents.c.source_document_id).where(
            documents.c.expertise_id == expertise_id, documents.c.source_document_id.is_not(None)))
        return set(rows.scalars())

    def search(self, expertise_ids: Sequence[str], key: str, limit: int) -> list[Document]:
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.session.execute(select(documents).where(
            documents.c.expertise_id.in_(list(expertise_ids)),
            documents.c.search_name.like(f"%{escaped}%", escape="\\"))
            .order_by(documents.c.deposited_at.desc(), documents.c.id).limit(limit)).all()
        shares = self._shares([row.id for row in rows])
        return [_document(row, shares.get(row.id, ())) for row in rows]

    def serialise_deposits(self, account_id: str, key: str) -> None:
        """Hold a transaction lock per (depositor, Idempotency-Key): concurrent retries commit one by one."""
        self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"deposit:{account_id}:{key}"})

    def by_idempotency_key(self, account_id: str, key: str) -> Document | None:
        row = self.session.execute(select(documents).where(documents.c.depositor_account_id == account_id,
                                                           documents.c.idempotency_key == key)).first()
        return _document(row, self._shares([row.id]).get(row.id, ())) if row else None

    def add_document(self, document: Document, search_name: str, idempotency_key: str | None = None) -> None:
        self.session.execute(insert(documents).values(
            idempotency_key=idempotency_key,
            id=document.id, expertise_id=document.expertise_id, designation_id=document.designation_id,
            source_document_id=document.source_document_id, folder_id=document.folder_id,
            version=document.version, file_name=document.file_name, original_name=document.original_name,
            search_name=search_name, size=document.size, sha256=document.sha256, media_type=document.media_type,
            declared_media_type=document.declared_media_type, object_key=document.object_key,
            depositor_account_id=document.depositor_account_id, depositor_role=document.depositor_role,
            cert_fingerprint=document.cert_fingerprint, deposited_at=document.deposited_at,
            receipt=document.receipt))

    def lock(self, document: Document) -> None:
        self.session.execute(update(documents).where(documents.c.id == document.id).values(
            locked_at=document.locked_at, locked_by=document.locked_by, lock_reason=document.lock_reason,
            version=document.version))

    def bump_version(self, document: Document) -> None:
        self.session.execute(update(documents).where(documents.c.id == document.id).values(version=document.version))

    def known_keys(self, keys: Sequence[str]) -> set[str]:
        rows = self.session.execute(select(documents.c.object_key).where(documents.c.object_key.in_(list(keys))))
        return set(rows.scalars())

    # --- shares and reads ------------------------------------------------------------------
    def share(self, document_id: str, participant_id: str, by: str, at: datetime) -> None:
        self.session.execute(pg_insert(document_shares).values(
            document_id=document_id, participant_id=participant_id, shared_by=by, shared_at=at)
            .on_conflict_do_nothing())

    def unshare(self, document_id: str, participant_id: str) -> None:
        self.session.execute(delete(document_shares).where(document_shares.c.document_id == document_id,
                                                           document_shares.c.participant_id == participant_id))

    def record_read(self, document_id: str, account_id: str, at: datetime) -> bool:
        """Record the first download of ``document_id`` by ``account_id``; True when it is the first."""
        result = self.session.execute(pg_insert(document_reads).values(
            document_id=document_id, account_id=account_id, first_read_at=at).on_conflict_do_nothing()
            .returning(document_reads.c.account_id))
        return result.scalar_one_or_none() is not None

    def reads(self, document_id: str) -> dict[str, datetime]:
        rows = self.session.execute(select(document_reads.c.account_id, document_reads.c.first_read_at)
                                    .where(document_reads.c.document_id == document_id))
        return {row.account_id: row.first_read_at for row in rows}

    def read_ids(self, account_id: str, document_ids: Sequence[str]) -> set[str]:
        if not document_ids:
            return set()
        rows = self.session.execute(select(document_reads.c.document_id).where(
            document_reads.c.account_id == account_id, document_reads.c.document_id.in_(list(document_ids))))
        return set(rows.scalars())

    def count_documents(self, folder_ids: Sequence[str]) -> int:
        return int(self.session.execute(select(func.count()).select_from(documents)
                                        .where(documents.c.folder_id.in_(list(folder_ids)))).scalar_one())
