"""Fixtures of designation's integration tests: a migrated database, the real app with a movable
clock, callers with principal tokens, and the vault's announcements fed to the real consumer.

Tests share one database; each makes its own accounts (random ids), so they never see each
other's designations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from scelle_common.events import Event, new_event, parse_event, serialize_event
from scelle_common.messaging import Outcome
from scelle_designation.bootstrap import SERVICE_ROOT
from scelle_designation.config import Settings
from scelle_designation.entrypoints.consumer import CONSUMERS
from scelle_designation.entrypoints.flask_app import create_app

MIGRATIONS = SERVICE_ROOT / "migrations"


@pytest.fixture(scope="session")
def database_url(database_factory) -> str:  # noqa: ANN001 - plugin fixture
    return database_factory(MIGRATIONS, hint="designation")


class Clock:
    """The app's clock: real time plus an offset a test may move forward."""

    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(database_url, rabbitmq_url, principal_signer) -> Settings:  # noqa: ANN001
    return Settings(database_url=database_url, broker_url=rabbitmq_url, jwks=principal_signer.jwks)


@pytest.fixture
def app(settings, clock) -> Iterator[Any]:  # noqa: ANN001
    application = create_app(settings, clock=clock)
    yield application
    application.extensions["scelle_runtime"].close()


@dataclass
class Caller:
    """Someone calling the API with a principal token of their own."""

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

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.put(path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs)


@pytest.fixture
def caller(app, principal_signer) -> Callable[..., Caller]:  # noqa: ANN001
    """``caller("magistrat")`` → a new account of that profile calling the app."""
    client = app.test_client()

    def make(profile: str = "magistrat", account_id: str | None = None) -> Caller:
        return Caller(client, principal_signer, account_id or str(uuid.uuid4()), profile)

    return make


def expert_card(expert: Caller) -> dict[str, Any]:
    """What the directory showed of the expert (the client sends it with the account id)."""
    return {"account_id": expert.account_id, "given_name": "Hélène", "surname": "Garnier",
            "email": "helene.garnier@experts.test", "court_code": "paris", "national_list": False,
            "specialities": ["E.1.3"]}


def naming(**overrides: Any) -> dict[str, Any]:
    return {"first_applicant": "Poitou", "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
            "rg_number": f"22/{uuid.uuid4().int % 100000:05d}", "record_number": None, "expert_name": "Garnier",
            "mi_number": None, "designation_date": "14-11-2026"} | overrides


def deposited(designation_id: str, part: str = "demande", content: bytes = b"%PDF-1.7 ordonnance",
              depositor: str | None = None, document_id: str | None = None) -> Event:
    """``documents.document_deposited.v1`` as the vault publishes it for a designation dossier file."""
    return new_event(service="documents", name="documents.document_deposited.v1",
                     subject=document_id or str(uuid.uuid4()), data={
        "expertise_id": None, "designation_id": designation_id, "document_id": document_id or str(uuid.uuid4()),
        "document_version": 1,
        "folder": {"id": str(uuid.uuid4()), "path": f"designation/{designation_id}/{part}",
                   "kind": f"designation/*/{part}", "label": "Désignation / Demande"},
        "file_name": "Ordonnance.pdf", "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
        "media_type": "application/pdf", "depositor_account_id": depositor or str(uuid.uuid4()),
        "depositor_role": None, "cert_fingerprint": None, "deposited_at": "2026-11-20T09:10:00Z",
        "audience": [], "receipt_id": str(uuid.uuid4())})


def feed(app: Any, event: Event) -> Outcome:
    """Deliver one event to the designation's consumer, inbox included (as the broker would)."""
    runtime = app.extensions["scelle_runtime"]
    return runtime.consumer("documents", CONSUMERS["documents"]).handle(serialize_event(event))


def problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = json.loads(response.get_data())
    assert body["type"] == f"/problems/{slug}", body
    return body  # type: ignore[no-any-return]


def outbox_events(database_url: str, subject: str | None = None, name: str | None = None) -> list[Event]:
    """Events written to the outbox, in order (optionally for one designation / one name)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT body FROM outbox ORDER BY position")).scalars().all()
    finally:
        engine.dispose()
    events = [parse_event(body) for body in rows]
    return [e for e in events if (subject is None or e.subject == subject) and (name is None or e.name == name)]


def audit_rows(database_url: str, action: str, target: str) -> list[Any]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(
                "SELECT * FROM audit_log WHERE action = :action AND target = :target ORDER BY seq"),
                {"action": action, "target": target}).all())
    finally:
        engine.dispose()


@dataclass
class Flow:
    """A magistrat, an expert and helpers to bring a designation to a given point."""

    app: Any
    magistrat: Caller
    expert: Caller

    def draft(self, with_expert: bool = True) -> str:
        body = {"designator": {"given_name": "François", "surname": "Dupont", "email": "f.dupont@justice.test"}}
        if with_expert:
            body["expert"] = expert_card(self.expert)
        response = self.magistrat.post("/v1/designations", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]  # type: ignore[no-any-return]

    def deposit(self, designation_id: str, part: str = "demande", content: bytes = b"%PDF-1.7 ordonnance") -> Event:
        event = deposited(designation_id, part, content)
        assert feed(self.app, event) is Outcome.ACK
        return event

    def sent(self) -> str:
        designation_id = self.draft()
        self.deposit(designation_id)
        response = self.magistrat.post(f"/v1/designations/{designation_id}/sending")
        assert response.status_code == 200, response.get_json()
        return designation_id


@pytest.fixture
def flow(app, caller) -> Flow:  # noqa: ANN001
    return Flow(app, caller("magistrat"), caller("expert"))
