"""SQLAlchemy 2 repositories of the designation database (rows ↔ domain objects)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, cast, func, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from scelle_designation.adapters.orm import (
    designation_files,
    designation_reminders,
    designations,
    directory_accounts,
    idempotency_keys,
)
from scelle_designation.domain import model
from scelle_designation.domain.directory import DirectoryEntry
from scelle_designation.domain.errors import InvalidRequest
from scelle_designation.domain.naming import Naming

_DESIGNATOR_KEYS = ("account_id", "profile", "given_name", "surname", "email")
_EXPERT_KEYS = ("account_id", "given_name", "surname", "email", "court_code", "national_list")


def designator_data(designator: model.Designator) -> dict[str, Any]:
    return {key: getattr(designator, key) for key in _DESIGNATOR_KEYS}


def expert_data(expert: model.ExpertChoice | None) -> dict[str, Any] | None:
    if expert is None:
        return None
    return {key: getattr(expert, key) for key in _EXPERT_KEYS} | {"specialities": list(expert.specialities)}


def _designator(data: dict[str, Any]) -> model.Designator:
    return model.Designator(**{key: data.get(key) for key in _DESIGNATOR_KEYS})


def _expert(data: dict[str, Any] | None) -> model.ExpertChoice | None:
    if not data:
        return None
    return model.ExpertChoice(**{key: data.get(key) for key in _EXPERT_KEYS},
                              specialities=tuple(data.get("specialities") or ()))


@dataclass(frozen=True)
class Page:
    items: list[model.Designation]
    next_cursor: str | None


def _encode_cursor(at: datetime, designation_id: str) -> str:
    raw = json.dumps([at.isoformat(), designation_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, designation_id = json.loads(raw)
        return datetime.fromisoformat(at), str(designation_id)
    except (ValueError, TypeError, binascii.Error):
        raise InvalidRequest("Curseur de pagination illisible.", {"/cursor": "curseur inconnu"}) from None


class DesignationRepository:
    """Designations with their reminders and dossier files."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- loading -------------------------------------------------------------------------------
    def get(self, designation_id: str, *, for_update: bool = False) -> model.Designation | None:
        query = select(designations).where(designations.c.id == designation_id)
        if for_update:
            query = query.with_for_update()
        row = self.session.execute(query).one_or_none()
        return self._load([row])[0] if row is not None else None

    def _load(self, rows: Sequence[Row[Any]]) -> list[model.Designation]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        reminders: dict[str, list[datetime]] = {i: [] for i in ids}
        for row in self.session.execute(select(designation_reminders).where(
                designation_reminders.c.designation_id.in_(ids)).order_by(designation_reminders.c.position)):
            reminders[row.designation_id].append(row.reminded_at)
        files: dict[str, list[model.DossierFile]] = {i: [] for i in ids}
        for row in self.session.execute(select(designation_files).where(
                designation_files.c.designation_id.in_(ids)).order_by(designation_files.c.deposited_at,
                                                                      designation_files.c.document_id)):
            files[row.designation_id].append(model.DossierFile(
                document_id=row.document_id, part=row.part, file_name=row.file_name, size=row.size,
                sha256=row.sha256, media_type=row.media_type, deposited_at=row.deposited_at,
                depositor_account_id=row.depositor_account_id, removed_at=row.removed_at))
        return [model.Designation(
            id=row.id, designator=_designator(row.designator), created_at=row.created_at, status=row.status,
            version=row.version, expert=_expert(row.expert), sent_at=row.sent_at, reminders=reminders[row.id],
            withdrawn_at=row.withdrawn_at, answered_at=row.answered_at,
            naming=Naming.from_fields(row.naming) if row.naming else None, portalis_number=row.portalis_number,
            mission=row.mission, justification=row.justification, files=files[row.id]) for row in rows]

    # -- saving --------------------------------------------------------------------------------
    def save(self, designation: model.Designation) -> None:
        """Write the designation's state (new or changed), its reminders and its files."""
        values = {
            "version": designation.version, "status": designation.status,
            "designator_account_id": designation.designator.account_id,
            "designator_profile": designation.designator.profile,
            "designator": designator_data(designation.designator),
            "expert_account_id": designation.expert.account_id if designation.expert else None,
            "expert": expert_data(designation.expert), "created_at": designation.created_at,
            "sent_at": designation.sent_at, "withdrawn_at": designation.withdrawn_at,
            "answered_at": designation.answered_at,
            "naming": designation.naming.as_data() if designation.naming else None,
            "portalis_number": designation.portalis_number, "mission": designation.mission,
            "justification": designation.justification,
        }
        statement = insert(designations).values(id=designation.id, **values)
        self.session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=values))
        if designation.reminders:
            self.session.execute(insert(designation_reminders).values([
                {"designation_id": designation.id, "position": position, "reminded_at": at}
                for position, at in enumerate(designation.reminders, start=1)]).on_conflict_do_nothing())
        for file in designation.files:
            row = {"document_id": file.document_id, "designation_id": designation.id, "part": file.part,
                   "file_name": file.file_name, "size": file.size, "sha256": file.sha256,
                   "media_type": file.media_type, "deposited_at": file.deposited_at,
                   "depositor_account_id": file.depositor_account_id, "removed_at": file.removed_at}
            self.session.execute(insert(designation_files).values(row).on_conflict_do_update(
                index_elements=["document_id"], set_={"removed_at": file.removed_at}))

    # -- lists ---------------------------------------------------------------------------------
    def for_designator(self, account_id: str, statuses: Sequence[str], cursor: str | None,
                       limit: int) -> Page:
        """The caller's designations, newest first, in ``statuses``."""
        query = select(designations).where(designations.c.designator_account_id == account_id,
                                           designations.c.status.in_(list(statuses)))
        if cursor:
            at, last_id = _decode_cursor(cursor)
            query = query.where(or_(designations.c.created_at < at,
                                    and_(designations.c.created_at == at, designations.c.id < last_id)))
        rows = self.session.execute(query.order_by(designations.c.created_at.desc(), designations.c.id.desc())
                                    .limit(limit + 1)).all()
        items = self._load(rows[:limit])
        more = len(rows) > limit
        return Page(items, _encode_cursor(items[-1].created_at, items[-1].id) if more and items else None)

    def pending_for_expert(self, account_id: str, cursor: str | None, limit: int) -> tuple[Page, int]:
        """What awaits the expert's answer, oldest first (the first sent is the most urgent), and the count."""
        where = (designations.c.expert_account_id == account_id, designations.c.status == model.EN_ATTENTE)
        count = self.session.execute(select(func.count()).select_from(designations).where(*where)).scalar_one()
        query = select(designations).where(*where)
        if cursor:
            at, last_id = _decode_cursor(cursor)
            query = query.where(or_(designations.c.sent_at > at,
                                    and_(designations.c.sent_at == at, designations.c.id > last_id)))
        rows = self.session.execute(query.order_by(designations.c.sent_at, designations.c.id).limit(limit + 1)).all()
        items = self._load(rows[:limit])
        more = len(rows) > limit
        next_cursor = None
        if more and items and items[-1].sent_at is not None:
            next_cursor = _encode_cursor(items[-1].sent_at, items[-1].id)
        return Page(items, next_cursor), count

    def statistics(self, account_id: str) -> dict[str, Any]:
        """Counts by outcome of what the account designated, and the median hours to an answer."""
        mine = designations.c.designator_account_id == account_id
        counts = dict(self.session.execute(select(designations.c.status, func.count()).where(mine)
                                           .group_by(designations.c.status)).all())
        hours = (func.extract("epoch", designations.c.answered_at - designations.c.sent_at) / 3600)
        median = self.session.execute(select(func.percentile_cont(0.5).within_group(hours)).where(
            mine, designations.c.status.in_(model.ANSWERED))).scalar_one()
        return {
            "drafts": counts.get(model.BROUILLON, 0),
            "sent": sum(counts.get(s, 0) for s in (model.EN_ATTENTE, *model.ANSWERED, model.RETIREE)),
            "pending": counts.get(model.EN_ATTENTE, 0),
            "accepted": counts.get(model.ACCEPTEE, 0),
            "refused": counts.get(model.REFUSEE, 0),
            "withdrawn": counts.get(model.RETIREE, 0),
            "median_hours_to_answer": round(float(median), 2) if median is not None else None,
        }

    def move_account(self, source: str, target: str) -> int:
        """An account was merged into another: its designations (as designator or expert) follow it."""
        moved = 0
        for column, key in ((designations.c.designator_account_id, "designator"),
                            (designations.c.expert_account_id, "expert")):
            result = self.session.execute(update(designations).where(column == source).values({
                column.name: target,
                key: func.jsonb_set(designations.c[key], literal_column("'{account_id}'::text[]"),
                                    func.to_jsonb(cast(target, Text)))}))
            moved += result.rowcount or 0  # type: ignore[attr-defined]
        return moved


class DirectoryRepository:
    """identity's directory as last announced; an older account version never overwrites a newer one."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, account_id: str) -> DirectoryEntry | None:
        row = self.session.execute(select(directory_accounts).where(
            directory_accounts.c.account_id == account_id)).one_or_none()
        if row is None:
            return None
        return DirectoryEntry(account_id=row.account_id, profile=row.profile, status=row.status,
                              given_name=row.given_name, surname=row.surname, email=row.email,
                              court_code=row.court_code, national_list=row.national_list,
                              specialities=tuple(row.specialities or ()))

    def upsert(self, entry: DirectoryEntry, version: int, at: datetime) -> bool:
        """Keep ``entry`` if its version is above the one held; say whether it was kept."""
        values = {"account_version": version, "profile": entry.profile, "status": entry.status,
                  "given_name": entry.given_name, "surname": entry.surname, "email": entry.email,
                  "court_code": entry.court_code, "national_list": entry.national_list,
                  "specialities": list(entry.specialities), "updated_at": at}
        statement = insert(directory_accounts).values(account_id=entry.account_id, **values)
        result = self.session.execute(statement.on_conflict_do_update(
            index_elements=["account_id"], set_=values,
            where=directory_accounts.c.account_version < statement.excluded.account_version))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def set_status(self, account_id: str, status: str, version: int | None, at: datetime) -> None:
        """A status change known only from a merge (no full profile in that event)."""
        query = update(directory_accounts).where(directory_accounts.c.account_id == account_id)
        values: dict[str, Any] = {"status": status, "updated_at": at}
        if version is not None:
            query = query.where(directory_accounts.c.account_version < version)
            values["account_version"] = version
        self.session.execute(query.values(**values))


@dataclass(frozen=True)
class StoredResponse:
    operation: str
    request_hash: str
    status_code: int
    body: dict[str, Any]


class IdempotencyRepository:
    """The first response of a creating POST, per account and Idempotency-Key."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, account_id: str, key: str) -> StoredResponse | None:
        row = self.session.execute(select(idempotency_keys).where(
            idempotency_keys.c.account_id == account_id, idempotency_keys.c.key == key)).one_or_none()
        return StoredResponse(row.operation, row.request_hash, row.status_code, row.body) if row else None

    def save(self, account_id: str, key: str, operation: str, request_hash: str, status_code: int,
             body: dict[str, Any], at: datetime) -> None:
        self.session.execute(insert(idempotency_keys).values(
            account_id=account_id, key=key, operation=operation, request_hash=request_hash,
            status_code=status_code, body=body, created_at=at))


__all__ = ["DesignationRepository", "DirectoryRepository", "IdempotencyRepository", "Page", "StoredResponse"]
