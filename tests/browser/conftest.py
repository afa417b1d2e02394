"""Fixtures of the browser tests: the portal behind the real gateway, driven by headless Chromium
presenting a client certificate.

The platform part is the end-to-end suite's (dev PKI, identity seeded with the demo accounts,
a private nginx rendered from deploy/gateway), plus the real apps of expertise, designation,
documents (on the ``s3_endpoint`` S3 server), billing and notification, each on its own migrated
database, and the portal, each served by werkzeug in a thread. Their relays and consumers run in
threads on one session ``bus`` namespace of the shared broker, so what one service publishes
reaches the others as in ``./scelle up`` (an accepted designation opens the case, the vault and
billing learn the case's participants, a deposit is announced...). The gateway routes
``/api/<service>/`` to each of them and serves the portal at ``/``, exactly as ``./scelle up``
renders it.

Degraded mode: every backend URL in ``portal_settings`` is live. A test of a service being down
builds its own portal with one URL replaced by ``dead_service_url`` (a port where nothing
listens), e.g. ``create_app(portal_settings.model_copy(update={"billing_url": dead_service_url}))``.

Client certificates in headless Chromium: each browser gets a private HOME whose NSS database
(``$HOME/.pki/nssdb``, made with ``certutil``/``pk12util`` from Debian's libnss3-tools) holds the
user's PKCS#12 and trusts the dev server CA; a managed policy
(``/etc/chromium/policies/managed/scelle-browser-tests.json``, written for the session and removed
after it) makes Chromium present it to the test gateway without the dialog headless mode cannot
show (``AutoSelectCertificateForUrls``). Needs root (the policy lives in /etc) and Debian's
``chromium chromium-driver libnss3-tools``; otherwise the tests are skipped and say why.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from scelle_common.events import new_event, serialize_event
from scelle_common.messaging import Outcome
from scelle_common.testing.plugin import BusNamespace
from scelle_common.testing.servers import free_port
from tests.e2e.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    gateway_secret,
    identity_env,
    identity_server,
    pki,
    seeded,
    signing_key,
    smtp,
)
from tests.e2e.harness import ROOT, GatewayProcess, ThreadedServer
from tests.integration_flows.conftest import Running
from tests.browser.webdriver import CHROMEDRIVER, CHROMIUM, Chromium

SCREENSHOTS = ROOT / "var" / "screenshots"
POLICY_DIR = Path("/etc/chromium/policies/managed")
# One file per test session, all with the same content: sessions run side by side on one machine,
# and one ending (removing its file) must not take the certificate away from another's Chromium.
POLICY_FILE = POLICY_DIR / f"scelle-browser-tests-{os.getpid()}.json"
NSS_TOOLS = ("certutil", "pk12util")


def _missing() -> str | None:
    for tool in (CHROMIUM, CHROMEDRIVER, *NSS_TOOLS):
        if shutil.which(tool) is None and not Path(tool).is_file():
            return f"{tool} is missing: apt-get install chromium chromium-driver libnss3-tools"
    if os.geteuid() != 0:
        return "the client-certificate policy is written in /etc/chromium/policies/managed: run as root"
    return None


@pytest.fixture(scope="session")
def browser_prerequisites() -> None:
    reason = _missing()
    if reason:
        # `./scelle test` installs them; a run without them must not pass silently.
        pytest.fail(reason, pytrace=False)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def bus(rabbitmq_url) -> Iterator[BusNamespace]:  # noqa: ANN001
    """The session's exchange and queues on the shared broker (never the local stack's)."""
    namespace = BusNamespace(rabbitmq_url)
    yield namespace
    namespace.clean()


@pytest.fixture(scope="session")
def service_settings(bus, principal_signer) -> dict[str, Any]:  # noqa: ANN001
    """What every service's settings share here: the session's bus, the session's JWKS."""
    topology = bus.topology
    return {"broker_url": bus.broker_url, "jwks": principal_signer.jwks, "events_exchange": topology.exchange,
            "queue_prefix": topology.queue_prefix, "delivery_limit": topology.delivery_limit,
            "relay_idle_seconds": 0.2, "log_level": "WARNING"}


@contextmanager
def service_app(name: str, database_factory: Any, **settings: Any) -> Iterator[Any]:
    """scelle_<name>'s real Flask app on its own migrated database, its runtime closed afterwards."""
    bootstrap = importlib.import_module(f"scelle_{name}.bootstrap")
    config = importlib.import_module(f"scelle_{name}.config")
    flask_app = importlib.import_module(f"scelle_{name}.entrypoints.flask_app")
    url = database_factory(bootstrap.SERVICE_ROOT / "migrations", hint=f"browser_{name}")
    app = flask_app.create_app(config.Settings(database_url=url, **settings))
    try:
        yield app
    finally:
        app.extensions["scelle_runtime"].close()


@pytest.fixture(scope="session")
def expertise_app(database_factory, service_settings) -> Iterator[Any]:  # noqa: ANN001
    with service_app("expertise", database_factory, **service_settings) as app:
        yield app


@pytest.fixture(scope="session")
def expertise_server(expertise_app) -> Iterator[ThreadedServer]:  # noqa: ANN001
    with ThreadedServer(expertise_app) as server:
        yield server


@pytest.fixture(scope="session")
def designation_app(database_factory, service_settings) -> Iterator[Any]:  # noqa: ANN001
    with service_app("designation", database_factory, **service_settings) as app:
        yield app


@pytest.fixture(scope="session")
def documents_app(database_factory, service_settings, s3_endpoint) -> Iterator[Any]:  # noqa: ANN001
    from scelle_documents.domain.receipts import new_private_jwk

    with service_app("documents", database_factory, s3_endpoint_url=s3_endpoint.url,
                     s3_access_key=s3_endpoint.access_key, s3_secret_key=s3_endpoint.secret_key,
                     s3_region=s3_endpoint.region, s3_bucket=f"browser-{uuid.uuid4().hex[:10]}",
                     receipt_key=json.dumps(new_private_jwk()), **service_settings) as app:
        yield app


@pytest.fixture(scope="session")
def documents_server(documents_app) -> Iterator[ThreadedServer]:  # noqa: ANN001
    with ThreadedServer(documents_app) as server:
        yield server


@pytest.fixture(scope="session")
def billing_app(database_factory, service_settings) -> Iterator[Any]:  # noqa: ANN001
    with service_app("billing", database_factory, **service_settings) as app:
        yield app


@pytest.fixture(scope="session")
def billing_server(billing_app) -> Iterator[ThreadedServer]:  # noqa: ANN001
    with ThreadedServer(billing_app) as server:
        yield server


@pytest.fixture(scope="session")
def notification_app(database_factory, service_settings, smtp) -> Iterator[Any]:  # noqa: ANN001
    with service_app("notification", database_factory, smtp_host=smtp.host, smtp_port=smtp.port,
                     **service_settings) as app:
        yield app


@pytest.fixture(scope="session")
def notification_server(notification_app) -> Iterator[ThreadedServer]:  # noqa: ANN001
    with ThreadedServer(notification_app) as server:
        yield server


@pytest.fixture(scope="session")
def event_flow(bus, expertise_app, designation_app, documents_app, billing_app,  # noqa: ANN001
               notification_app) -> Iterator[None]:
    """Every service's consumers and relay, in threads on the session's bus (as ``./scelle up``)."""
    from scelle_billing.entrypoints.consumer import CONSUMERS as BILLING
    from scelle_designation.entrypoints.consumer import CONSUMERS as DESIGNATION
    from scelle_documents.entrypoints.consumer import CONSUMERS as DOCUMENTS
    from scelle_expertise.entrypoints.consumer import CONSUMERS as EXPERTISE
    from scelle_notification.entrypoints.consumer import CONSUMERS as NOTIFICATION

    services = {"expertise": (expertise_app, EXPERTISE), "designation": (designation_app, DESIGNATION),
                "documents": (documents_app, DOCUMENTS), "billing": (billing_app, BILLING),
                "notification": (notification_app, NOTIFICATION)}
    running = Running()
    try:
        for service, (app, consumers) in services.items():
            runtime = app.extensions["scelle_runtime"]
            for purpose, handlers in consumers.items():
                bus.queue(service, purpose)  # remembered for cleaning
                consumer = runtime.consumer(purpose, handlers)
                consumer.declare()  # bound before any relay publishes: nothing is returned unroutable
                running.start(consumer.run)
        for app, _consumers in services.values():
            running.start(app.extensions["scelle_runtime"].relay().run)
        yield
    finally:
        running.halt()


@pytest.fixture(scope="session")
def deposit_designation_file(designation_app) -> Callable[[str], None]:  # noqa: ANN001
    """Deliver the vault's announcement of a designation file to designation's real consumer."""
    return lambda designation_id: _deposit(designation_app, designation_id)


def _deposit(designation_app: Any, designation_id: str) -> None:
    from scelle_designation.entrypoints.consumer import CONSUMERS

    content, document_id = b"%PDF-1.7 ordonnance", str(uuid.uuid4())
    event = new_event(service="documents", name="documents.document_deposited.v1", subject=document_id, data={
        "expertise_id": None, "designation_id": designation_id, "document_id": document_id, "document_version": 1,
        "folder": {"id": str(uuid.uuid4()), "path": f"designation/{designation_id}/demande",
                   "kind": "designation/*/demande", "label": "Désignation / Demande"},
        "file_name": "Ordonnance.pdf", "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
        "media_type": "application/pdf", "depositor_account_id": str(uuid.uuid4()), "depositor_role": None,
        "cert_fingerprint": None, "deposited_at": "2026-11-20T09:10:00Z", "audience": [],
        "receipt_id": str(uuid.uuid4())})
    runtime = designation_app.extensions["scelle_runtime"]
    assert runtime.consumer("documents", CONSUMERS["documents"]).handle(serialize_event(event)) is Outcome.ACK


@pytest.fixture(scope="session")
def designation_server(designation_app) -> Iterator[ThreadedServer]:  # noqa: ANN001
    with ThreadedServer(designation_app) as server:
        yield server


@pytest.fixture(scope="session")
def dead_service_url() -> str:
    """A URL where nothing listens: put it in place of one service's URL to test degraded pages."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def portal_settings(principal_signer, identity_server, expertise_server, designation_server,  # noqa: ANN001
                    documents_server, billing_server, notification_server, event_flow) -> Any:
    from scelle_portal.config import Settings

    return Settings(jwks=principal_signer.jwks, identity_url=identity_server.url,
                    expertise_url=expertise_server.url, designation_url=designation_server.url,
                    documents_url=documents_server.url, billing_url=billing_server.url,
                    notification_url=notification_server.url, log_level="WARNING", connect_timeout_seconds=0.5)


@pytest.fixture(scope="session")
def portal(portal_settings) -> Any:  # noqa: ANN001
    """The portal's Flask app (its real HTTP client calls the services' real apps)."""
    from scelle_portal.entrypoints.flask_app import create_app

    return create_app(portal_settings)


@pytest.fixture(scope="session")
def portal_server(portal) -> Iterator[ThreadedServer]:  # noqa: ANN001
    with ThreadedServer(portal) as server:
        yield server


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


@dataclass
class Person:
    """A demo account calling the portal or a service with a principal token of its own."""

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
    return {"magistrat": Person(principal_signer, accounts["camille.rousseau@justice.test"], "magistrat"),
            "greffier": Person(principal_signer, accounts["julien.moreau@justice.test"], "greffier"),
            "expert": Person(principal_signer, accounts["helene.garnier@experts-justice.test"], "expert")}


@pytest.fixture(scope="session")
def gateway(pki, identity_server, expertise_server, designation_server, documents_server,  # noqa: ANN001
            billing_server, notification_server, portal_server, gateway_secret) -> Iterator[GatewayProcess]:
    services = {"identity": identity_server.port, "expertise": expertise_server.port,
                "designation": designation_server.port, "documents": documents_server.port,
                "billing": billing_server.port, "notification": notification_server.port,
                "portal": portal_server.port}
    with GatewayProcess(pki, services, gateway_secret=gateway_secret) as process:
        yield process


@pytest.fixture(scope="session")
def certificate_policy(browser_prerequisites, gateway) -> Iterator[None]:  # noqa: ANN001
    """Chromium presents the (only) certificate of its NSS database to the test gateway."""
    POLICY_DIR.mkdir(parents=True, exist_ok=True)
    pattern = json.dumps({"pattern": "https://localhost:*", "filter": {}})  # any session's gateway port
    POLICY_FILE.write_text(json.dumps({"AutoSelectCertificateForUrls": [pattern]}), encoding="utf-8")
    yield
    POLICY_FILE.unlink(missing_ok=True)


@pytest.fixture
def browser(browser_prerequisites, pki, gateway, certificate_policy, tmp_path) -> Iterator[Callable[[str | None], Chromium]]:  # noqa: ANN001
    """``browser("magistrat")``: a headless Chromium holding that demo user's certificate
    (``browser(None)``: none)."""
    opened: list[Chromium] = []

    def open_browser(user: str | None) -> Chromium:
        home = Path(tempfile.mkdtemp(prefix=f"chromium-{user or 'nocert'}-", dir=tmp_path))
        nssdb = home / ".pki" / "nssdb"
        nssdb.mkdir(parents=True)
        db = f"sql:{nssdb}"
        _run("certutil", "-N", "-d", db, "--empty-password")
        _run("certutil", "-A", "-d", db, "-n", "Scelle dev server CA", "-t", "C,,", "-i", pki.server_ca)
        if user is not None:
            password = (pki.out / "p12-password.txt").read_text(encoding="utf-8").strip()
            _run("pk12util", "-i", str(pki.out / "users" / user / f"{user}.p12"), "-d", db, "-W", password)
        chromium = Chromium(home, home / "chromedriver.log")
        opened.append(chromium)
        return chromium

    yield open_browser
    for chromium in opened:
        chromium.quit()


def _run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    assert result.returncode == 0, f"{' '.join(command)}: {result.stdout}{result.stderr}"
