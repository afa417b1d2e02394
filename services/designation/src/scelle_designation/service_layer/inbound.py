"""What the designation service does with the vault's events (tolerant readers).

The designation learns which files its dossier holds from ``documents.document_deposited.v1``
(only announced once the bytes are durably stored: an announced file is complete) and drops the
ones the vault locked (``documents.document_locked.v1``: a wrong deposit, struck through). No
synchronous call to the vault is needed when the designator presses *Envoyer*.

Each handler runs inside the consumer's unit of work, after the inbox claimed the event. Unknown
fields are ignored; events about expertise folders or unknown designations are acknowledged with
no effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from scelle_common.events import Event
from scelle_common.logging import get_logger
from scelle_common.messaging import PermanentError
from scelle_designation.domain import model
from scelle_designation.domain.directory import DirectoryEntry
from scelle_designation.service_layer.context import audit_entry, system_actor
from scelle_designation.service_layer.unit_of_work import DesignationUnitOfWork

log = get_logger(__name__)


def _time(value: Any, default: datetime) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return default
    return default


def dossier_place(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(designation_id, part)`` when the event's folder is ``designation/<id>/demande|reponse[/…]``."""
    folder = data.get("folder")
    path = folder.get("path") if isinstance(folder, Mapping) else folder
    if isinstance(path, str):
        segments = path.strip("/").split("/")
        if len(segments) >= 3 and segments[0] == "designation" and segments[2] in (model.REQUEST, model.RESPONSE):
            return segments[1], segments[2]
    return None


def document_deposited(uow: DesignationUnitOfWork, event: Event, now: datetime) -> None:
    """A file of a designation dossier is in the vault: it counts for *envoyer* / *refuser*."""
    data = event.data
    place = dossier_place(data)
    if place is None:
        return  # an expertise's folder: not ours
    designation_id, part = place
    if data.get("designation_id") and str(data["designation_id"]) != designation_id:
        raise PermanentError("documents.document_deposited: designation_id and folder disagree")
    document_id, sha256 = data.get("document_id"), data.get("sha256")
    if not document_id or not sha256:
        raise PermanentError("documents.document_deposited without document_id or sha256")
    designation = uow.designations.get(designation_id, for_update=True)
    if designation is None:
        log.warning("designation.unknown_dossier", designation_id=designation_id, document_id=document_id)
        return
    added = designation.file_deposited(model.DossierFile(
        document_id=str(document_id), part=part, file_name=str(data.get("file_name") or document_id)[:255],
        size=int(data.get("size") or 0), sha256=str(sha256), media_type=data.get("media_type"),
        deposited_at=_time(data.get("deposited_at"), event.time),
        depositor_account_id=data.get("depositor_account_id")))
    if added:
        uow.save(designation, causation=event)
        uow.record(audit_entry(system_actor("documents"), "designation.file_deposited",
                               f"designation:{designation_id}", "ok", now, document_id=str(document_id),
                               part=part, event_id=event.id))


def document_locked(uow: DesignationUnitOfWork, event: Event, now: datetime) -> None:
    """The vault locked a dossier file: it no longer counts (files are removed before sending only)."""
    data = event.data
    place = dossier_place(data)
    document_id = data.get("document_id")
    if place is None or not document_id:
        return
    designation = uow.designations.get(place[0], for_update=True)
    if designation is None:
        return
    if designation.file_removed(str(document_id), _time(data.get("locked_at"), event.time)):
        uow.save(designation, causation=event)
        uow.record(audit_entry(system_actor("documents"), "designation.file_removed",
                               f"designation:{place[0]}", "ok", now, document_id=str(document_id),
                               event_id=event.id))


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def account_announced(uow: DesignationUnitOfWork, event: Event, now: datetime) -> None:
    """``identity.account_registered/updated.v1``: the directory entry, if newer than the one held."""
    data = event.data
    account_id, profile, version = data.get("account_id"), data.get("profile"), data.get("account_version")
    if not account_id or not profile or not isinstance(version, int):
        raise PermanentError(f"{event.name} without account_id, profile or account_version")
    specialities = data.get("specialities") if isinstance(data.get("specialities"), list) else []
    national_list = data.get("national_list")
    uow.directory.upsert(DirectoryEntry(
        account_id=str(account_id), profile=str(profile), status=str(data.get("status") or "active"),
        given_name=_str(data.get("given_name")), surname=_str(data.get("surname")), email=_str(data.get("email")),
        court_code=_str(data.get("court_code")),
        national_list=national_list if isinstance(national_list, bool) else None,
        specialities=tuple(str(s) for s in specialities)), version, now)


def accounts_merged(uow: DesignationUnitOfWork, event: Event, now: datetime) -> None:
    """``identity.accounts_merged.v1``: the merged account's designations follow the kept account."""
    data = event.data
    source = data.get("merged_account_id") or data.get("source_account_id")
    target = data.get("account_id") or data.get("target_account_id")
    if not source or not target or source == target:
        raise PermanentError("identity.accounts_merged without distinct merged and kept accounts")
    merged_version = data.get("merged_account_version")
    uow.directory.set_status(str(source), "merged", merged_version if isinstance(merged_version, int) else None, now)
    moved = uow.designations.move_account(str(source), str(target))
    uow.record(audit_entry(system_actor("identity"), "account.merge", f"account:{target}", "ok", now,
                           source_account_id=str(source), designations=moved, event_id=event.id))
