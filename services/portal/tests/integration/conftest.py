"""The portal against the real services: identity (seeded with the dev PKI's demo accounts),
expertise and designation, each its real Flask app on its own migrated database, served by
werkzeug in a thread. The portal's HTTP client calls them like in production; documents is
pointed at a port where nothing listens, so every page shows its degraded path too.

identity's fixtures are the end-to-end suite's (tests/e2e/conftest.py), imported here.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from scelle_common.events import new_event, serialize_event
from scelle_common.messaging import Outcome
from scelle_common.testing.servers import free_port
from scelle_portal.config import Settings as PortalSettings
from scelle_portal.entrypoints.flask_app import create_app as create_portal
from tests.e2e.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    gateway_secret,
    identity_env,
    identity_server,
    pki,
    seeded,
    signing_key,
    smtp,
)
from tests.e2e.harness import ThreadedServer


@pytest.fixture(scope="session")
def accounts(identity_env, seeded) -> dict[str, str]:  # noqa: ANN001
    """Demo e-mail → account id, as identity's seed created them."""
    engine = create_engine(identity_env["IDENTITY_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT email, id FROM accounts")).all()
    finally:
        engine.dispose()
    return {email: account_id for email, account_id in rows}


@pytest.fixture(scope="session")
def expertise_app(database_factory, rabbitmq_url, principal_signer) -> Iterator[Any]:  # noqa: ANN001
    from scelle_expertise.bootstrap import SERVICE_ROOT
    from scelle_expertise.config import Settings
    from scelle_expertise.entrypoints.flask_app import create_app

    url = database_factory(SERVICE_ROOT / "migrations", hint="portal_expertise")
    app = create_app(Settings(database_url=url, broker_url=rabbitmq_url, jwks=principal_signer.jwks,
                              log_level="WARNING"))
    yield app
    app.extensions["scelle_runtime"].close()


@pytest.fixture(scope="session")
def designation_app(database_factory, rabbitmq_url, principal_signer) -> Iterator[Any]:  # noqa: ANN001
    from scelle_designation.bootstrap import SERVICE_ROOT
    from scelle_designation.config import Settings
    from scelle_designation.entrypoints.flask_app import create_app

    url = database_factory(SERVICE_ROOT / "migrations", hint="portal_designation")
    app = create_app(Settings(database_url=url, broker_url=rabbitmq_url, jwks=principal_signer.jwks,
                              log_level="WARNING"))
    yield app
    app.extensions["scelle_runtime"].close()


@pytest.fixture(scope="session")
def expertise_server(expertise_app) -> Iterator[ThreadedServer]:  # noqa: ANN001
    with ThreadedServer(expertise_app) as server:
        yield server


@pytest.fixture(scope="session")
def designation_server(designation_app) -> Iterator[ThreadedServer]:  # noqa: ANN001
    with ThreadedServer(designation_app) as server:
        yield server


@pytest.fixture(scope="session")
def portal_settings(principal_signer, identity_server, expertise_server, designation_server) -> PortalSettings:  # noqa: ANN001
    dead = f"http://127.0.0.1:{free_port()}"
    return PortalSettings(jwks=principal_signer.jwks, identity_url=identity_server.url,
                          expertise_url=expertise_server.url, designation_url=designation_server.url,
                          documents_url=dead, billing_url=dead, log_level="WARNING",
                          connect_timeout_seconds=0.5, read_timeout_seconds=5)


@pytest.fixture(scope="session")
def portal(portal_settings) -> Any:  # noqa: ANN001
    return create_portal(portal_settings)


@dataclass
class Person:
    """A demo account calling a service with a principal token of its own."""

    signer: Any
    account_id: str
    profile: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Scelle-Principal": self.signer.sign(account_id=self.account_id, profile=self.profile)}

    def page(self, client: Any, path: str) -> tuple[int, str]:
        response = client.get(path, headers=self.headers)
        return response.status_code, response.get_data(as_text=True)

    def call(self, base_url: str, method: str, path: str, json: Any = None) -> Any:
        response = requests.request(method, base_url + path, json=json, headers=self.headers, timeout=10)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


@pytest.fixture(scope="session")
def people(principal_signer, accounts) -> dict[str, Person]:  # noqa: ANN001
    def person(email: str, profile: str) -> Person:
        return Person(principal_signer, accounts[email], profile)

    return {"magistrat": person("camille.rousseau@justice.test", "magistrat"),
            "greffier": person("julien.moreau@justice.test", "greffier"),
            "expert": person("helene.garnier@experts-justice.test", "expert")}


@pytest.fixture(scope="session")
def deposit_designation_file(designation_app) -> Any:  # noqa: ANN001
    """Deliver the vault's announcement of a designation file to designation's real consumer."""
    return lambda designation_id: _deposit(designation_app, designation_id)


def _deposit(designation_app: Any, designation_id: str) -> None:
    """The vault's announcement of a designation file, delivered to designation's real consumer."""
    from scelle_designation.entrypoints.consumer import CONSUMERS

    content = b"%PDF-1.7 ordonnance"
    document_id = str(uuid.uuid4())
    event = new_event(service="documents", name="documents.document_deposited.v1", subject=document_id, data={
        "expertise_id": None, "designation_id": designation_id, "document_id": document_id,
        "document_version": 1,
        "folder": {"id": str(uuid.uuid4()), "path": f"designation/{designation_id}/demande",
                   "kind": "designation/*/demande", "label": "Désignation / Demande"},
        "file_name": "Ordonnance.pdf", "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
        "media_type": "application/pdf", "depositor_account_id": str(uuid.uuid4()),
        "depositor_role": None, "cert_fingerprint": None, "deposited_at": "2026-11-20T09:10:00Z",
        "audience": [], "receipt_id": str(uuid.uuid4())})
    runtime = designation_app.extensions["scelle_runtime"]
    outcome = runtime.consumer("documents", CONSUMERS["documents"]).handle(serialize_event(event))
    assert outcome is Outcome.ACK
