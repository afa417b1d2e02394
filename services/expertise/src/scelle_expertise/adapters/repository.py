"""Repositories of the expertise database (SQLAlchemy 2)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from scelle_expertise.adapters import orm
from scelle_expertise.domain.model import Expertise

orm.start_mappers()


class ExpertiseRepository:
    """The aggregate, loaded whole (parties, participants, history) and saved by the session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, expertise: Expertise) -> None:
        self._session.add(expertise)

    def get(self, expertise_id: str, *, for_update: bool = False) -> Expertise | None:
        """The expertise, locked against concurrent changes when ``for_update``."""
        statement = select(Expertise).where(orm.expertises.c.id == expertise_id)
        if for_update:
            statement = statement.with_for_update()
        return self._session.execute(statement).scalars().first()

    def by_designation(self, designation_id: str) -> Expertise | None:
        return self._session.execute(
            select(Expertise).where(orm.expertises.c.designation_id == designation_id)).scalars().first()

    def ids_involving(self, account_id: str) -> list[str]:
        """Every expertise where the account is owner or a live participant (for merges)."""
        participant = select(orm.participants.c.expertise_id).where(
            orm.participants.c.account_id == account_id, orm.participants.c.removed_at.is_(None))
        owned = select(orm.expertises.c.id).where(orm.expertises.c.owner_account_id == account_id)
        return sorted(set(self._session.execute(participant).scalars()) | set(self._session.execute(owned).scalars()))

    def participant_invited_by(self, event_id: str) -> tuple[str, str] | None:
        """``(expertise_id, participant_id)`` of the invitation announced by event ``event_id``."""
        row = self._session.execute(
            select(orm.participants.c.expertise_id, orm.participants.c.id).where(
                orm.participants.c.invitation_event_id == event_id)).first()
        return (row[0], row[1]) if row else None

    def participant_location(self, participant_id: str) -> str | None:
        return self._session.execute(select(orm.participants.c.expertise_id).where(
            orm.participants.c.id == participant_id)).scalar_one_or_none()


class IdempotencyRepository:
    """Responses of creating POSTs, by (account, Idempotency-Key)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self, account_id: str, key: str) -> Any | None:
        return self._session.execute(select(orm.idempotency_keys).where(
            orm.idempotency_keys.c.account_id == account_id, orm.idempotency_keys.c.key == key)).first()

    def save(self, account_id: str, key: str, operation: str, request_hash: str, status_code: int,
             body: dict[str, Any], at: datetime) -> None:
        self._session.execute(orm.idempotency_keys.insert().values(
            account_id=account_id, key=key, operation=operation, request_hash=request_hash,
            status_code=status_code, body=body, created_at=at))


class ConsumedVersions:
    """The highest version applied per foreign aggregate: consumers drop stale events."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def advance(self, aggregate: str, aggregate_id: str, version: int) -> bool:
        """Record ``version``; ``False`` when it is not newer than the one already applied."""
        statement = pg_insert(orm.consumed_versions).values(aggregate=aggregate, aggregate_id=aggregate_id,
                                                            version=version)
        statement = statement.on_conflict_do_update(
            index_elements=["aggregate", "aggregate_id"], set_={"version": version},
            where=orm.consumed_versions.c.version < version,
        ).returning(orm.consumed_versions.c.version)
        return self._session.execute(statement).first() is not None


class DocumentMarks:
    """Which documents each account has not downloaded yet (fed by the documents service)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def deposited(self, expertise_id: str, document_id: str, folder: str | None, at: datetime | None,
                  audience: Iterable[str]) -> None:
        self._session.execute(pg_insert(orm.expertise_documents).values(
            document_id=document_id, expertise_id=expertise_id, folder=folder, deposited_at=at,
        ).on_conflict_do_nothing())
        rows = [{"account_id": account, "document_id": document_id, "expertise_id": expertise_id}
                for account in dict.fromkeys(audience) if account]
        if rows:
            # A read that arrived first is kept: on conflict nothing changes.
            self._session.execute(pg_insert(orm.document_reads).values(rows).on_conflict_do_nothing())

    def read(self, expertise_id: str, document_id: str, account_id: str, at: datetime) -> None:
        statement = pg_insert(orm.document_reads).values(
            account_id=account_id, document_id=document_id, expertise_id=expertise_id, read_at=at)
        self._session.execute(statement.on_conflict_do_update(
            index_elements=["account_id", "document_id"], set_={"read_at": at},
            where=orm.document_reads.c.read_at.is_(None)))

    def move_account(self, source: str, target: str) -> None:
        """Merge: the source's marks become the target's; a document both had keeps the target's mark,
        read if either read it."""
        reads = orm.document_reads
        other = reads.alias("other")
        source_read = select(reads.c.document_id, reads.c.read_at).where(
            reads.c.account_id == source, reads.c.read_at.is_not(None)).subquery()
        self._session.execute(update(reads).where(
            reads.c.account_id == target, reads.c.read_at.is_(None),
            reads.c.document_id == source_read.c.document_id).values(read_at=source_read.c.read_at))
        self._session.execute(reads.delete().where(and_(reads.c.account_id == source, exists(
            select(other.c.document_id).where(other.c.account_id == target,
                                              other.c.document_id == reads.c.document_id)))))
        self._session.execute(update(reads).where(reads.c.account_id == source).values(account_id=target))



