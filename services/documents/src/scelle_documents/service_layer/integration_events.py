"""The only place where what happened in the vault becomes public events (contracts/events/).

Every event's subject is the document id; ``data.document_version`` orders one document's events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scelle_common.events import Event, new_event
from scelle_documents.domain.model import Document, Folder

SERVICE = "documents"
DEPOSITED = "documents.document_deposited.v1"
READ = "documents.document_read.v1"
SHARED = "documents.document_shared.v1"
LOCKED = "documents.document_locked.v1"
READ_REMINDER_REQUESTED = "documents.read_reminder_requested.v1"


def _time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _base(document: Document, folder: Folder) -> dict[str, Any]:
    return {
        "expertise_id": document.expertise_id, "designation_id": document.designation_id, "document_id": document.id,
        "document_version": document.version,
        "folder": {"id": folder.id, "path": folder.path, "kind": folder.kind, "label": folder.label},
        "file_name": document.file_name,
    }


def _event(name: str, document: Document, data: dict[str, Any], at: datetime) -> Event:
    return new_event(service=SERVICE, name=name, subject=document.id, data=data, time=at)


def deposited(document: Document, folder: Folder, audience: list[str]) -> Event:
    return _event(DEPOSITED, document, _base(document, folder) | {
        "size": document.size, "sha256": document.sha256, "media_type": document.media_type,
        "depositor_account_id": document.depositor_account_id, "depositor_role": document.depositor_role,
        "cert_fingerprint": document.cert_fingerprint, "deposited_at": _time(document.deposited_at),
        "audience": audience, "receipt_id": document.receipt["receipt_id"],
    }, document.deposited_at)


def read(document: Document, folder: Folder, account_id: str, at: datetime) -> Event:
    return _event(READ, document, _base(document, folder) | {"account_id": account_id, "read_at": _time(at)}, at)


def shared(document: Document, folder: Folder, participant_id: str, account_id: str | None, is_shared: bool,
           by: str, at: datetime) -> Event:
    return _event(SHARED, document, _base(document, folder) | {
        "participant_id": participant_id, "account_id": account_id, "shared": is_shared,
        "shared_with": sorted(document.shared_with), "changed_by": by, "changed_at": _time(at)}, at)


def locked(document: Document, folder: Folder) -> Event:
    assert document.locked_at is not None and document.locked_by and document.lock_reason
    return _event(LOCKED, document, _base(document, folder) | {
        "reason": document.lock_reason, "locked_by": document.locked_by, "locked_at": _time(document.locked_at)},
        document.locked_at)


def read_reminder_requested(document: Document, folder: Folder, account_ids: list[str], by: str, at: datetime,
                            display_name: str | None) -> Event:
    return _event(READ_REMINDER_REQUESTED, document, _base(document, folder) | {
        "account_ids": account_ids, "requested_by": by, "requested_at": _time(at),
        "expertise_display_name": display_name}, at)
