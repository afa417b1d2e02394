"""Fixtures of notification's integration tests: a migrated database of its own per test (the sender
and the digest consider every row), events fed through the real consumer (inbox included), a
movable clock, the real SMTP capture server, and builders of the events other services publish.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from scelle_common.events import Event, new_event, parse_event, serialize_event
from scelle_common.messaging import Consumer, Outcome
from scelle_common.runtime import ServiceRuntime
from scelle_notification.adapters.smtp import SmtpMailer
from scelle_notification.bootstrap import SERVICE_ROOT, build_runtime, build_services
from scelle_notification.config import Settings
from scelle_notification.entrypoints.consumer import build_consumers
from scelle_notification.service_layer.context import Services
from scelle_notification.service_layer.delivery import DeliveryReport, deliver_due
from scelle_notification.service_layer.digests import DigestReport, run_digest

MIGRATIONS = SERVICE_ROOT / "migrations"
PUBLIC_URL = "https://scelle.test"


class Clock:
    """One clock for the consumer, the sender and the digest, moved by tests."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@dataclass
class Notification:
    runtime: ServiceRuntime
    services: Services
    database_url: str
    clock: Clock

    def consumer(self, purpose: str = "events") -> Consumer:
        return self.runtime.consumer(purpose, build_consumers(self.clock)["events"])

    def feed(self, event: Event) -> Outcome:
        return self.consumer().handle(serialize_event(event))

    def deliver(self, mailer: SmtpMailer) -> DeliveryReport:
        return deliver_due(self.services, mailer)

    def digest(self, until: dt.datetime, **kwargs: Any) -> DigestReport:
        return run_digest(self.services, until, **kwargs)

    def sql(self, statement: str, **params: Any) -> list[Any]:
        with self.runtime.engine.connect() as connection:
            return list(connection.execute(text(statement), params).all())

    def published(self, name: str) -> list[Event]:
        events = [parse_event(body) for (body,) in self.sql("SELECT body FROM outbox ORDER BY position")]
        return [event for event in events if event.name == name]


@pytest.fixture
def settings(database_factory, rabbitmq_url, principal_signer) -> Settings:  # noqa: ANN001 - plugin fixtures
    return Settings(database_url=database_factory(MIGRATIONS, hint="notification"), broker_url=rabbitmq_url,
                    jwks=principal_signer.jwks, public_url=PUBLIC_URL, digest_chunk_size=2)


@pytest.fixture
def notification(settings, clock) -> Iterator[Notification]:  # noqa: ANN001
    runtime = build_runtime(settings)
    try:
        yield Notification(runtime, build_services(runtime, clock=clock), settings.database_url, clock)
    finally:
        runtime.close()


def mailer_for(host: str, port: int) -> SmtpMailer:
    return SmtpMailer(host, port, "Scellé <ne-pas-repondre@scelle.test>", timeout=5)


# ---- what other services publish ---------------------------------------------------------------

def _id() -> str:
    return str(uuid.uuid4())


def instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Person:
    account_id: str
    profile: str
    given_name: str
    surname: str
    email: str

    def registered(self, version: int = 1) -> Event:
        return new_event(service="identity", name="identity.account_registered.v1", subject=self.account_id, data={
            "account_id": self.account_id, "account_version": version, "profile": self.profile, "status": "active",
            "given_name": self.given_name, "surname": self.surname, "email": self.email,
            "registered_at": "2026-11-24T09:15:00Z"})


def person(profile: str, given_name: str = "Claire", surname: str | None = None) -> Person:
    account_id = _id()
    surname = surname or f"Nom{account_id[:6]}"
    return Person(account_id, profile, given_name, surname, f"{given_name.lower()}.{account_id[:8]}@exemple.test")


class Case:
    """The events of one expertise, as expertise and documents publish them."""

    def __init__(self, owner: Person, name: str) -> None:
        self.id, self.owner, self.name, self.version = _id(), owner, name, 0

    def _data(self, **extra: Any) -> dict[str, Any]:
        self.version += 1
        return {"expertise_id": self.id, "display_name": self.name, "status": "en_creation",
                "expertise_version": self.version} | extra

    def created(self, designated_by: Person | None = None) -> Event:
        return new_event(service="expertise", name="expertise.created.v1", subject=self.id, data=self._data(
            owner_account_id=self.owner.account_id, created_by=self.owner.account_id,
            designated_by_account_id=designated_by.account_id if designated_by else None,
            created_at="2026-12-01T09:00:00Z"))

    def participant(self, who: Person, role: str, added_by: str | None = None, active: bool = True) -> Event:
        return new_event(service="expertise", name="expertise.participant_added.v1", subject=self.id,
                         data=self._data(
                             participant_id=_id(), account_id=who.account_id, email=who.email,
                             given_name=who.given_name, surname=who.surname, role=role, party_ids=[],
                             active=active, en_charge=role == "magistrat", invitation_pending=False,
                             added_by=added_by or self.owner.account_id, added_at="2026-12-01T09:05:00Z"))

    def status(self, to_status: str, at: dt.datetime, from_status: str = "en_creation") -> Event:
        return new_event(service="expertise", name="expertise.status_changed.v1", subject=self.id, data=self._data(
            status=to_status, from_status=from_status, to_status=to_status, reason=None, reopened=False,
            changed_by=self.owner.account_id, changed_at=instant(at)))

    def deposit(self, folder: str, label: str, file_name: str, by: Person, role: str, audience: list[Person],
                at: dt.datetime) -> Event:
        document = _id()
        return new_event(service="documents", name="documents.document_deposited.v1", subject=document, data={
            "expertise_id": self.id, "designation_id": None, "document_id": document, "document_version": 1,
            "folder": {"id": _id(), "path": folder, "kind": folder, "label": label}, "file_name": file_name,
            "size": 1000, "sha256": "0" * 64, "media_type": "application/pdf", "depositor_account_id": by.account_id,
            "depositor_role": role, "deposited_at": instant(at), "audience": [p.account_id for p in audience]})


def billing_event(name: str, account: Person, **data: Any) -> Event:
    return new_event(service="billing", name=name, subject=account.account_id,
                     data={"account_id": account.account_id} | data)
