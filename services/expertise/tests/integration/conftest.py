"""Fixtures of expertise's integration tests: a migrated database, the real app, callers with tokens.

Tests share one database; each makes its own accounts (random ids), so they never see each other's
expertises.
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

from scelle_common.events import Event, parse_event
from scelle_expertise.bootstrap import SERVICE_ROOT
from scelle_expertise.config import Settings
from scelle_expertise.entrypoints.flask_app import create_app

MIGRATIONS = SERVICE_ROOT / "migrations"


@pytest.fixture(scope="session")
def database_url(database_factory) -> str:  # noqa: ANN001 - plugin fixture
    return database_factory(MIGRATIONS, hint="expertise")


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
        token = self.signer.sign(account_id=self.account_id, profile=self.profile)
        return {"X-Scelle-Principal": token, **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.post(path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.put(path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.patch(path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.client.delete(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)


@pytest.fixture
def caller(app, principal_signer) -> Callable[..., Caller]:  # noqa: ANN001
    """``caller("expert")`` → a new account of that profile calling the app."""
    client = app.test_client()

    def make(profile: str = "expert", account_id: str | None = None) -> Caller:
        return Caller(client, principal_signer, account_id or str(uuid.uuid4()), profile)

    return make


def naming(**overrides: Any) -> dict[str, Any]:
    """Valid naming fields with a unique RG (tests search for it)."""
    values = {
        "first_applicant": "Poitou", "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
        "rg_number": f"22/{uuid.uuid4().int % 100000:05d}", "record_number": None, "expert_name": "Durand",
        "mi_number": None, "designation_date": "14-03-2024",
    }
    return values | overrides


def create_expertise(expert: Caller, **overrides: Any) -> dict[str, Any]:
    response = expert.post("/v1/expertises", json=naming(**overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def problem(response: Any) -> dict[str, Any]:
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    return json.loads(response.get_data())


def outbox_events(database_url: str, subject: str | None = None, name: str | None = None) -> list[Event]:
    """Events written to the outbox, in order (optionally for one expertise / one name)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT body FROM outbox ORDER BY position")).scalars().all()
    finally:
        engine.dispose()
    events = [parse_event(body) for body in rows]
    return [e for e in events if (subject is None or e.subject == subject) and (name is None or e.name == name)]


def audit_rows(database_url: str, action: str, target: str | None = None) -> list[Any]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            sql = "SELECT * FROM audit_log WHERE action = :action" + (" AND target = :target" if target else "")
            return connection.execute(text(sql + " ORDER BY seq"), {"action": action, "target": target}).all()
    finally:
        engine.dispose()
