"""Fixtures of identity's integration tests: a dev PKI, a migrated database, the app, a fake gateway.

The PKI is the project's own dev tool (``deploy/pki``) generated into a temporary directory;
each test issues its own user certificates from its CAs, so tests share one database without
sharing a certificate.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import create_engine, text

from scelle_common.events import parse_event
from scelle_identity.adapters import signing
from scelle_identity.bootstrap import SERVICE_ROOT
from scelle_identity.config import Settings
from scelle_identity.entrypoints.api.common import SERVICES_KEY
from scelle_identity.entrypoints.flask_app import create_app
from scelle_identity.service_layer.provisioning import load_reference

REPO = SERVICE_ROOT.parents[1]
sys.path.insert(0, str(REPO / "deploy" / "pki"))

import devpki  # noqa: E402
import pkimodel  # noqa: E402

MIGRATIONS = SERVICE_ROOT / "migrations"


# -- certificates


@dataclass(frozen=True)
class Cert:
    """A user certificate made for one test."""

    certificate: x509.Certificate
    key: Any
    family: str

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def header(self) -> str:
        """What nginx puts in $ssl_client_escaped_cert."""
        return quote(self.pem, safe="")

    @property
    def fingerprint(self) -> str:
        return pkimodel.fingerprint_hex(self.certificate.public_bytes(serialization.Encoding.DER))

    @property
    def serial_hex(self) -> str:
        return pkimodel.serial_hex(self.certificate.serial_number)


class DevPki:
    """The dev PKI of this test session, and a way to issue more users from its CAs."""

    def __init__(self, out: Path) -> None:
        self.out = out
        devpki.init(out)
        self._pki = devpki.Pki(out)

    @property
    def cas_dir(self) -> Path:
        return self.out / "cas"

    def ca_files(self, family: str) -> tuple[str, str]:
        ca = self._pki.issuing_ca(pkimodel.family(family), create=False)
        return ca.cert_path.read_text(), ca.key_path.read_text()

    def issue(self, family: str = "experts", profile: str | None = None, *, given_name: str = "Lucie",
              surname: str | None = None, org_unit: str = "Cour d'appel de Paris", days: int = 365,
              expired: bool = False, email: str | None = None) -> Cert:
        fam = pkimodel.family(family)
        profile = profile or fam.profiles[0]
        surname = surname or f"Test{uuid.uuid4().hex[:8]}"
        identity = pkimodel.Identity(
            name=f"t-{uuid.uuid4().hex[:12]}", given_name=given_name, surname=surname, profile=profile,
            family=family, org_unit=org_unit, email=email or f"{uuid.uuid4().hex[:10]}@exemple.test",
        )
        ca = self._pki.issuing_ca(fam, create=False)
        key = devpki.generate_key("ec-p256")
        now = dt.datetime.now(dt.UTC)
        window = (pkimodel.expired_window(now, devpki.window_of(ca.cert)) if expired
                  else pkimodel.leaf_window(now, days, devpki.window_of(ca.cert)))
        certificate = devpki.build_cert(pkimodel.user_name(identity), ca.cert.subject, key.public_key(), ca.key,
                                        window, pkimodel.client_extensions(key.public_key(), ca.key.public_key(),
                                                                           identity.email))
        return Cert(certificate, key, family)

    def revoke(self, cert: Cert) -> None:
        """Put the certificate on its issuing CA's CRL (as `devpki.py revoke` does)."""
        devpki.revoke(self.out, cert.certificate.serial_number, family_name=cert.family)

    def manifest(self) -> Path:
        return self.out / "manifest.json"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return DevPki(tmp_path_factory.mktemp("pki") / "pki")


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("keys")
    signing.init_keys(directory)
    return directory


# -- database, settings, app


@pytest.fixture(scope="session")
def database_url(database_factory) -> str:
    return database_factory(MIGRATIONS, hint="identity")


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
def settings_for(database_url, rabbitmq_url, pki, keys_dir, smtp_capture) -> Callable[..., Settings]:
    cert, key = pki.ca_files("scelle")

    def make(**overrides: Any) -> Settings:
        values = dict(
            database_url=database_url, broker_url=rabbitmq_url,
            jwks=(keys_dir / signing.PUBLIC_NAME).read_text(),
            signing_key=(keys_dir / signing.PRIVATE_NAME).read_text(),
            trusted_issuers_dir=str(pki.cas_dir), trust_reload_seconds=0,
            software_ca_cert=cert, software_ca_key=key,
            smtp_host=smtp_capture.host, smtp_port=smtp_capture.port,
            public_url="https://scelle.test:8443",
        )
        return Settings(**(values | overrides))

    return make


@pytest.fixture
def app(settings_for, clock):
    application = create_app(settings_for(), clock=clock)
    yield application
    application.extensions["scelle_runtime"].close()


@pytest.fixture
def bus_app(settings_for, clock, bus_namespace, _reference_loaded):
    """The app publishing to and consuming from a bus namespace of this test."""
    topology = bus_namespace.topology
    application = create_app(settings_for(events_exchange=topology.exchange, queue_prefix=topology.queue_prefix,
                                          delivery_limit=topology.delivery_limit), clock=clock)
    yield application
    application.extensions["scelle_runtime"].close()


@pytest.fixture
def services(app):
    return app.extensions[SERVICES_KEY]


@pytest.fixture(scope="session")
def _reference_loaded(database_url, rabbitmq_url, pki, keys_dir) -> None:
    application = create_app(Settings(database_url=database_url, broker_url=rabbitmq_url,
                                      jwks=(keys_dir / signing.PUBLIC_NAME).read_text()))
    load_reference(application.extensions[SERVICES_KEY])
    application.extensions["scelle_runtime"].close()


@pytest.fixture
def client(app, _reference_loaded):
    return app.test_client()


# -- the gateway, as nginx would call identity


class Gateway:
    """Plays nginx: asks identity's authenticator, then forwards to identity with the token.

    Only ``/api/identity/...`` routes are forwarded (other services are not running here);
    ``authenticate`` alone answers for any URI.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    def authenticate(self, cert: Cert | None, method: str = "GET", uri: str = "/api/identity/v1/accounts/me",
                     verify: str | None = None, ip: str = "203.0.113.7") -> Any:
        headers = {
            "X-Client-Cert": cert.header if cert else "",
            "X-Client-Verify": verify or ("SUCCESS" if cert else "NONE"),
            "X-Client-Ip": ip,
            "X-Original-Method": method,
            "X-Original-Uri": uri,
        }
        return self.client.get("/internal/v1/authenticate", headers=headers)

    def call(self, cert: Cert | None, method: str, uri: str, **kwargs: Any) -> Any:
        answer = self.authenticate(cert, method, uri)
        if answer.status_code != 200:
            return answer
        headers = dict(kwargs.pop("headers", {}))
        if "X-Scelle-Principal" in answer.headers:
            headers["X-Scelle-Principal"] = answer.headers["X-Scelle-Principal"]
        assert uri.startswith("/api/identity/")
        return self.client.open(uri.removeprefix("/api/identity"), method=method, headers=headers, **kwargs)


@pytest.fixture
def gateway(client) -> Gateway:
    return Gateway(client)


# -- helpers


def registration_form(cert: Cert, **overrides: Any) -> dict[str, Any]:
    """A complete expert registration for ``cert`` (override anything)."""
    form = {
        "email": f"{uuid.uuid4().hex[:10]}@experts-justice.test",
        "cgu_version": "v202004-01",
        "phone_mobile": "+33 6 12 34 56 78",
        "address": {"street": "1 place du Palais", "postal_code": "75001", "city": "Paris", "country": "France"},
        "court_code": "paris",
        "national_list": False,
        "specialities": ["E.1.3"],
    }
    return form | overrides


def register(gateway: Gateway, cert: Cert, **overrides: Any) -> dict[str, Any]:
    response = gateway.call(cert, "POST", "/api/identity/v1/registrations",
                            json=registration_form(cert, **overrides))
    assert response.status_code == 201, response.get_json(force=True)
    return response.get_json()


def outbox_events(database_url: str, name: str, subject: str | None = None) -> list[Any]:
    """Events of ``name`` written to the outbox (optionally for one account)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT body FROM outbox WHERE event_name = :name ORDER BY position"),
                                      {"name": name}).scalars().all()
    finally:
        engine.dispose()
    found = [parse_event(body) for body in rows]
    return [event for event in found if subject is None or event.subject == subject]


def audit_rows(database_url: str, action: str, **where: str) -> list[Any]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            clauses = "".join(f" AND {column} = :{column}" for column in where)
            return connection.execute(text(f"SELECT * FROM audit_log WHERE action = :action{clauses} ORDER BY seq"),
                                      {"action": action, **where}).all()
    finally:
        engine.dispose()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def problem(response: Any) -> dict[str, Any]:
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    return json.loads(response.get_data())


@pytest.fixture
def own_database(database_factory, settings_for, clock):
    """An app on a database of its own, for tests that change what every account sees (CGU)."""
    url = database_factory(MIGRATIONS, hint="identity_own")
    application = create_app(settings_for(database_url=url), clock=clock)
    load_reference(application.extensions[SERVICES_KEY])
    yield application
    application.extensions["scelle_runtime"].close()


def make_operator(services, pki: DevPki) -> Cert:
    """An operator account (as a bootstrap would make it) and its certificate, for operator tests."""
    from scelle_identity.adapters.x509_certificates import facts_of, pem_of
    from scelle_identity.domain.accounts import Account
    from scelle_identity.domain.certificates import CertificateRecord

    cert = pki.issue("scelle", "operateur", given_name="Claire")
    now = dt.datetime.now(dt.UTC)
    facts = facts_of(cert.certificate)
    with services.unit_of_work() as uow:
        account = Account(id=str(uuid.uuid4()), profile="operateur", status="active", given_name="Claire",
                          surname=facts.surname or "Fontaine", email="claire@scelle.test", version=1, created_at=now,
                          cgu_version=uow.cgu.in_force(now))
        uow.accounts.add(account, now)
        uow.certificates.add(CertificateRecord(
            fingerprint=facts.fingerprint, serial_hex=facts.serial_hex, family="scelle", issuer=facts.issuer,
            subject=facts.subject, not_before=facts.not_before, not_after=facts.not_after,
            pem=pem_of(cert.certificate), first_seen_at=now, account_id=account.id, bound_at=now,
            bound_via="bootstrap"))
        uow.commit()
    return cert


def mailed_link(smtp_capture, to: str, path: str) -> str:
    """The secret of the last link to ``path`` mailed to ``to`` (read from the real SMTP server)."""
    import re

    wait_until(lambda: any(to in mail.recipients for mail in smtp_capture.messages()))
    mail = [m for m in smtp_capture.messages() if to in m.recipients][-1]
    text_part = mail.message.get_body(("plain",)).get_content()
    found = re.search(re.escape(path) + r"([A-Za-z0-9_-]+)", text_part)
    assert found, text_part
    return found.group(1)
