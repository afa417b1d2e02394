"""Fixtures of billing's integration tests: migrated databases, a movable clock, events fed through
the real consumers (inbox included), the real app with principal tokens.

Tests that run the daily invoicing get a database of their own (``fresh_runtime``): the run
considers every expertise in the database and invoice numbers are counted per database.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from scelle_common.events import Event, new_event, parse_event, serialize_event
from scelle_common.messaging import Outcome
from scelle_common.runtime import ServiceRuntime
from scelle_billing.bootstrap import SERVICE_ROOT, build_runtime, build_services
from scelle_billing.config import Settings
from scelle_billing.entrypoints.consumer import CONSUMERS
from scelle_billing.entrypoints.flask_app import create_app
from scelle_billing.service_layer.context import Services

MIGRATIONS = SERVICE_ROOT / "migrations"


class Clock:
    """A clock set to a given instant, moved by tests."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def set_day(self, day: dt.date) -> None:
        self.now = dt.datetime.combine(day, dt.time(10, 0), dt.UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def database_url(database_factory) -> str:  # noqa: ANN001 - plugin fixture
    return database_factory(MIGRATIONS, hint="billing")


@pytest.fixture
def settings(database_url, rabbitmq_url, principal_signer) -> Settings:  # noqa: ANN001
    return Settings(database_url=database_url, broker_url=rabbitmq_url, jwks=principal_signer.jwks)


@dataclass
class Billing:
    """One billing database with its runtime, services and consumers."""

    runtime: ServiceRuntime
    services: Services
    database_url: str

    def feed(self, purpose: str, event: Event) -> Outcome:
        return self.runtime.consumer(purpose, CONSUMERS[purpose]).handle(serialize_event(event))

    def events(self, name: str | None = None) -> list[Event]:
        return outbox_events(self.database_url, name=name)

    def sql(self, statement: str, **params: Any) -> list[Any]:
        with self.runtime.engine.connect() as connection:
            return list(connection.execute(text(statement), params).all())


def _billing(url: str, rabbitmq_url: str, clock: Clock) -> Iterator[Billing]:
    runtime = build_runtime(Settings(database_url=url, broker_url=rabbitmq_url))
    try:
        yield Billing(runtime, build_services(runtime, clock=clock), url)
    finally:
        runtime.close()


@pytest.fixture
def billing(database_url, rabbitmq_url, clock) -> Iterator[Billing]:  # noqa: ANN001
    """Billing on the shared test database."""
    yield from _billing(database_url, rabbitmq_url, clock)


@pytest.fixture
def fresh_billing(database_factory, rabbitmq_url, clock) -> Iterator[Billing]:  # noqa: ANN001
    """Billing on a database of its own."""
    yield from _billing(database_factory(MIGRATIONS, hint="billing"), rabbitmq_url, clock)


def outbox_events(database_url: str, name: str | None = None) -> list[Event]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT body FROM outbox ORDER BY position")).scalars().all()
    finally:
        engine.dispose()
    return [e for e in (parse_event(body) for body in rows) if name is None or e.name == name]


def instant(day: dt.date, hour: int = 10) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


class Expertise:
    """Builds the events of one expertise as its producers would publish them."""

    def __init__(self, owner: str | None = None) -> None:
        self.id = str(uuid.uuid4())
        self.owner = owner or str(uuid.uuid4())
        self.version = 0

    def _next(self) -> int:
        self.version += 1
        return self.version

    def created(self, day: dt.date) -> Event:
        return new_event(service="expertise", name="expertise.created.v1", subject=self.id, data={
            "expertise_id": self.id, "expertise_version": self._next(), "display_name": "POITOU_HARTMANN",
            "status": "en_creation", "owner_account_id": self.owner, "created_at": instant(day)})

    def status(self, day: dt.date, to_status: str, from_status: str = "en_creation", version: int | None = None
               ) -> Event:
        return new_event(service="expertise", name="expertise.status_changed.v1", subject=self.id, data={
            "expertise_id": self.id, "expertise_version": version or self._next(), "display_name": "POITOU_HARTMANN",
            "status": to_status, "from_status": from_status, "to_status": to_status, "reason": None,
            "reopened": False, "changed_by": self.owner, "changed_at": instant(day)})

    def party(self, day: dt.date, party_id: str | None = None) -> Event:
        return new_event(service="expertise", name="expertise.party_added.v1", subject=self.id, data={
            "expertise_id": self.id, "expertise_version": self._next(), "display_name": "POITOU_HARTMANN",
            "status": "en_cours", "party_id": party_id or str(uuid.uuid4()), "name": "SCI Les Tilleuls",
            "kind": "demandeur", "representation": "avocat", "added_by": self.owner, "added_at": instant(day)})

    def certificate(self, day: dt.date) -> Event:
        account = str(uuid.uuid4())
        return new_event(service="identity", name="identity.software_certificate_issued.v1", subject=account, data={
            "account_id": account, "account_version": 2, "profile": "partie",
            "certificate_fingerprint": uuid.uuid4().hex * 2, "certificate_serial": uuid.uuid4().hex,
            "family": "scelle", "software": True, "expertise_id": self.id, "participant_id": str(uuid.uuid4()),
            "issued_by": self.owner, "renewal_of": None, "issued_at": instant(day)})

    def deposited(self, day: dt.date, folder: str = "greffe/rapport-definitif") -> Event:
        document = str(uuid.uuid4())
        return new_event(service="documents", name="documents.document_deposited.v1", subject=document, data={
            "expertise_id": self.id, "designation_id": None, "document_id": document, "document_version": 1,
            "folder": {"id": str(uuid.uuid4()), "path": folder, "kind": folder, "label": "Greffe / Rapport définitif"},
            "file_name": "rapport.pdf", "size": 1000, "sha256": "0" * 64, "media_type": "application/pdf",
            "depositor_account_id": self.owner, "depositor_role": "expert", "deposited_at": instant(day),
            "audience": [self.owner]})


def open_expertise(billing: Billing, en_cours_on: dt.date, parties: int = 2, certificates: int = 2,
                   owner: str | None = None) -> Expertise:
    """An expertise created, with parties and certificates, entering ``en_cours`` on ``en_cours_on``."""
    expertise = Expertise(owner)
    assert billing.feed("expertises", expertise.created(en_cours_on - dt.timedelta(days=3))) is Outcome.ACK
    for _ in range(parties):
        assert billing.feed("expertises", expertise.party(en_cours_on - dt.timedelta(days=2))) is Outcome.ACK
    assert billing.feed("expertises", expertise.status(en_cours_on, "en_cours")) is Outcome.ACK
    for _ in range(certificates):
        assert billing.feed("certificates", expertise.certificate(en_cours_on)) is Outcome.ACK
    return expertise


# ---- API callers -------------------------------------------------------------------------------

@pytest.fixture
def app(settings, clock) -> Iterator[Any]:  # noqa: ANN001
    application = create_app(settings, clock=clock)
    yield application
    application.extensions["scelle_runtime"].close()


@dataclass
class Caller:
    client: Any
    signer: Any
    account_id: str
    profile: str

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"X-Scelle-Principal": self.signer.sign(account_id=self.account_id, profile=self.profile),
                **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.post(path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs)


@pytest.fixture
def caller(app, principal_signer) -> Callable[..., Caller]:  # noqa: ANN001
    client = app.test_client()

    def make(profile: str = "expert", account_id: str | None = None) -> Caller:
        return Caller(client, principal_signer, account_id or str(uuid.uuid4()), profile)

    return make


def problem(response: Any) -> dict[str, Any]:
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    return json.loads(response.get_data())
