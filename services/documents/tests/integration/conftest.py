"""Fixtures of the vault's integration tests: one migrated database, the real S3 server, the real
app, callers with principal tokens, and cases built the way production builds them — from
``expertise.*`` events handled by the vault's own consumer.

Tests share the database and the bucket; each builds its own cases (random ids).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from scelle_common.events import Event, new_event, parse_event, serialize_event
from scelle_documents.bootstrap import SERVICE_ROOT
from scelle_documents.config import Settings
from scelle_documents.domain.receipts import new_private_jwk
from scelle_documents.entrypoints.consumer import CONSUMERS
from scelle_documents.entrypoints.flask_app import create_app

MIGRATIONS = SERVICE_ROOT / "migrations"


@pytest.fixture(scope="session")
def database_url(database_factory) -> str:  # noqa: ANN001 - plugin fixture
    return database_factory(MIGRATIONS, hint="documents")


@pytest.fixture(scope="session")
def receipt_key() -> str:
    return json.dumps(new_private_jwk())


@pytest.fixture(scope="session")
def settings(database_url, rabbitmq_url, principal_signer, s3_endpoint, receipt_key) -> Settings:  # noqa: ANN001
    return Settings(database_url=database_url, broker_url=rabbitmq_url, jwks=principal_signer.jwks,
                    s3_endpoint_url=s3_endpoint.url, s3_access_key=s3_endpoint.access_key,
                    s3_secret_key=s3_endpoint.secret_key, s3_region=s3_endpoint.region,
                    s3_bucket=f"vault-{uuid.uuid4().hex[:10]}", receipt_key=receipt_key,
                    max_document_bytes=64 * 1024 * 1024, s3_part_bytes=5 * 1024 * 1024)


@pytest.fixture(scope="session")
def app(settings) -> Iterator[Any]:  # noqa: ANN001
    application = create_app(settings)
    yield application
    application.extensions["scelle_runtime"].close()


@pytest.fixture(scope="session")
def vault(app) -> Any:  # noqa: ANN001
    return app.extensions["scelle_documents"]


class Caller:
    """Someone calling the API with a principal token of their own."""

    def __init__(self, client: Any, signer: Any, account_id: str, profile: str) -> None:
        self.client, self.signer, self.account_id, self.profile = client, signer, account_id, profile

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"X-Scelle-Principal": self.signer.sign(account_id=self.account_id, profile=self.profile),
                **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.post(path, json=json, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.client.put(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.client.delete(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def deposit(self, folder_id: str, name: str, data: bytes, **kwargs: Any) -> Any:
        return self.client.post(f"/v1/folders/{folder_id}/documents", query_string={"name": name}, data=data,
                                headers=self.headers({"Content-Type": "application/octet-stream"}), **kwargs)


def feed(app: Any, name: str, data: dict[str, Any], subject: str) -> Event:
    """Deliver one event to the vault's consumer, inbox included (as the broker would)."""
    runtime = app.extensions["scelle_runtime"]
    purpose = {"identity": "accounts", "designation": "designations"}.get(name.split(".")[0], "expertises")
    event = new_event(service=name.split(".")[0], name=name, subject=subject, data=data)
    outcome = runtime.consumer(purpose, CONSUMERS[purpose]).handle(serialize_event(event))
    assert outcome.value == "ack", (name, outcome)
    return event


@dataclass
class Case:
    """An expertise built from events, with its members' callers."""

    app: Any
    signer: Any
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: int = 0
    status: str = "en_creation"
    members: dict[str, Caller] = field(default_factory=dict)
    participants: dict[str, str] = field(default_factory=dict)  # label → participant id
    parties: dict[str, str] = field(default_factory=dict)  # label → party id

    def _next(self) -> dict[str, Any]:
        self.version += 1
        return {"expertise_id": self.id, "expertise_version": self.version, "display_name": f"CASE_{self.id[:8]}",
                "status": self.status}

    def caller(self, account_id: str | None = None, profile: str = "expert") -> Caller:
        return Caller(self.app.test_client(), self.signer, account_id or str(uuid.uuid4()), profile)

    def create(self, owner_label: str = "expert") -> Case:
        owner = self.caller(profile="expert")
        feed(self.app, "expertise.created.v1", self._next() | {"owner_account_id": owner.account_id,
                                                               "designation_id": None, "created_at": _now()}, self.id)
        self.add_participant(owner_label, "expert", caller=owner)
        return self

    def add_party(self, label: str) -> str:
        party_id = str(uuid.uuid4())
        feed(self.app, "expertise.party_added.v1", self._next() | {
            "party_id": party_id, "name": f"Partie {label}", "kind": "demandeur", "representation": "avocat"}, self.id)
        self.parties[label] = party_id
        return party_id

    def add_participant(self, label: str, role: str, *, parties: list[str] = (), active: bool = True,  # type: ignore[assignment]
                        caller: Caller | None = None) -> Caller:
        member = caller or self.caller(profile=_PROFILE.get(role, "expert"))
        participant_id = str(uuid.uuid4())
        feed(self.app, "expertise.participant_added.v1", self._next() | {
            "participant_id": participant_id, "account_id": member.account_id, "email": None, "given_name": label,
            "surname": "TEST", "participant_display_name": f"{label} TEST", "role": role,
            "party_ids": [self.parties[p] for p in parties], "active": active, "en_charge": False,
            "invitation_pending": False, "added_by": None, "added_at": _now()}, self.id)
        self.members[label] = member
        self.participants[label] = participant_id
        return member

    def set_status(self, status: str) -> None:
        previous, self.status = self.status, status
        feed(self.app, "expertise.status_changed.v1", self._next() | {
            "from_status": previous, "to_status": status, "reason": None, "reopened": False,
            "changed_by": None, "changed_at": _now()}, self.id)

    def folders(self, label: str = "expert") -> dict[str, dict[str, Any]]:
        """path → folder, as the owner expert (who sees every folder) lists them."""
        response = self.members[label].get(f"/v1/expertises/{self.id}/folders")
        assert response.status_code == 200, response.get_json()
        return {folder["path"]: folder for folder in response.get_json()["folders"]}


_PROFILE = {"avocat": "avocat", "magistrat": "magistrat", "greffier": "greffier", "partie_publiante": "partie",
            "partie_lectrice": "partie", "sapiteur": "sapiteur_externe"}


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def new_case(app, principal_signer):  # noqa: ANN001, ANN201
    def make() -> Case:
        return Case(app, principal_signer).create()

    return make


def problem(response: Any) -> dict[str, Any]:
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)[:500]
    return json.loads(response.get_data())


def outbox_events(database_url: str, subject: str | None = None, name: str | None = None) -> list[Event]:
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
