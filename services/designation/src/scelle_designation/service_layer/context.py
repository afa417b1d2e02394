"""What every use case receives: the unit of work factory, the clock, the id maker, the caller."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from scelle_common.audit import audit_entry
from scelle_designation.domain.errors import Conflict, Forbidden, NotFound
from scelle_designation.service_layer.unit_of_work import DesignationUnitOfWork

Clock = Callable[[], datetime]
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """The one way the designation service makes ids."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Actor:
    """Who asks: the verified principal, or the system acting on an event."""

    account_id: str | None
    profile: str
    fingerprint: str | None = None
    serial: str | None = None
    client_ip: str | None = None

    @property
    def id(self) -> str:
        return self.account_id or ""


def system_actor(source: str) -> Actor:
    """The designation service acting on an event from ``source`` (e.g. ``documents``)."""
    return Actor(account_id=None, profile=f"system:{source}")


@dataclass
class Services:
    """The use cases' dependencies (built by ``bootstrap``)."""

    unit_of_work: Callable[[], DesignationUnitOfWork]
    clock: Clock = utc_now
    new_id: Callable[[], str] = new_id



def run(services: Services, actor: Actor, action: str, target: str,
        use_case: Callable[[DesignationUnitOfWork, datetime], T]) -> T:
    """Run ``use_case`` in one unit of work and commit it.

    The use case records its own audit row on success; a refusal (404/403/409) is recorded here,
    in a transaction of its own, since the use case's transaction is rolled back.
    """
    now = services.clock()
    try:
        with services.unit_of_work() as uow:
            result = use_case(uow, now)
            uow.commit()
            return result
    except (NotFound, Forbidden, Conflict) as refusal:
        with services.unit_of_work() as uow:
            uow.record(audit_entry(actor, action, target, "denied", now, reason=type(refusal).__name__))
            uow.commit()
        raise


@dataclass(frozen=True)
class Replay:
    """A response already given for the same Idempotency-Key."""

    status_code: int
    body: dict[str, Any]


def run_idempotent(services: Services, actor: Actor, action: str, target: str, *, key: str | None,
                   request_hash: str, use_case: Callable[[DesignationUnitOfWork, datetime], T],
                   render: Callable[[T], dict[str, Any]], status_code: int) -> Replay:
    """Like :func:`run` for a creating POST: with a key, the first response is stored in the same
    transaction and replayed for every retry by the same account; a key reused for another request
    is refused."""
    def replay_of(uow: DesignationUnitOfWork) -> Replay | None:
        stored = uow.idempotency.find(actor.id, key) if key else None
        if stored is None:
            return None
        if stored.request_hash != request_hash or stored.operation != action:
            raise Conflict("Cette clé d'idempotence a déjà servi pour une autre requête.", "idempotency-key-reused")
        return Replay(stored.status_code, stored.body)

    def first_time(uow: DesignationUnitOfWork, now: datetime) -> Replay:
        replay = replay_of(uow)
        if replay is not None:
            return replay
        body = render(use_case(uow, now))
        if key:
            uow.idempotency.save(actor.id, key, action, request_hash, status_code, body, now)
        return Replay(status_code, body)

    try:
        return run(services, actor, action, target, first_time)
    except IntegrityError:
        if not key:
            raise
        with services.unit_of_work() as uow:
            replay = replay_of(uow)
        if replay is None:
            raise
        return replay
