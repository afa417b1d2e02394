"""Fixtures of the browser tests: the portal behind the real gateway, driven by headless Chromium
presenting a client certificate.

The platform part is the end-to-end suite's (dev PKI, identity seeded with the demo accounts,
a private nginx rendered from deploy/gateway), plus expertise and designation's real apps on
their own migrated databases and the portal, each served by werkzeug in a thread. The gateway
serves the portal at ``/``, exactly as ``./scelle up`` renders it.

Client certificates in headless Chromium: each browser gets a private HOME whose NSS database
(``$HOME/.pki/nssdb``, made with ``certutil``/``pk12util`` from Debian's libnss3-tools) holds the
user's PKCS#12 and trusts the dev server CA; a managed policy
(``/etc/chromium/policies/managed/scelle-browser-tests.json``, written for the session and removed
after it) makes Chromium present it to the test gateway without the dialog headless mode cannot
show (``AutoSelectCertificateForUrls``). Needs root (the policy lives in /etc) and Debian's
``chromium chromium-driver libnss3-tools``; otherwise the tests are skipped and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

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
from tests.browser.webdriver import CHROMEDRIVER, CHROMIUM, Chromium

SCREENSHOTS = ROOT / "var" / "screenshots"
POLICY_DIR = Path("/etc/chromium/policies/managed")
POLICY_FILE = POLICY_DIR / "scelle-browser-tests.json"
NSS_TOOLS = ("certutil", "pk12util")


def _missing() -> str | None:
    for tool in (CHROMIUM, CHROMEDRIVER, *NSS_TOOLS):
        if shutil.which(tool) is None and not Path(tool).is_file():
            return f"{tool} is missing: apt-get install chromium chromium-driver libnss3-tools"
    if os.geteuid() != 0:
        return "the client-certificate policy is written in /etc/chromium/policies/managed: run as root"
    return None


@pytest.fixture(scope="session", autouse=True)
def _browser_prerequisites() -> None:
    reason = _missing()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def expertise_server(database_factory, rabbitmq_url, principal_signer) -> Iterator[ThreadedServer]:  # noqa: ANN001
    from scelle_expertise.bootstrap import SERVICE_ROOT
    from scelle_expertise.config import Settings
    from scelle_expertise.entrypoints.flask_app import create_app

    url = database_factory(SERVICE_ROOT / "migrations", hint="browser_expertise")
    app = create_app(Settings(database_url=url, broker_url=rabbitmq_url, jwks=principal_signer.jwks,
                              log_level="WARNING"))
    with ThreadedServer(app) as server:
        yield server
    app.extensions["scelle_runtime"].close()


@pytest.fixture(scope="session")
def designation_app(database_factory, rabbitmq_url, principal_signer) -> Iterator[Any]:  # noqa: ANN001
    from scelle_designation.bootstrap import SERVICE_ROOT
    from scelle_designation.config import Settings
    from scelle_designation.entrypoints.flask_app import create_app

    url = database_factory(SERVICE_ROOT / "migrations", hint="browser_designation")
    app = create_app(Settings(database_url=url, broker_url=rabbitmq_url, jwks=principal_signer.jwks,
                              log_level="WARNING"))
    yield app
    app.extensions["scelle_runtime"].close()


@pytest.fixture(scope="session")
def designation_server(designation_app) -> Iterator[ThreadedServer]:  # noqa: ANN001
    with ThreadedServer(designation_app) as server:
        yield server


@pytest.fixture(scope="session")
def portal_server(principal_signer, identity_server, expertise_server, designation_server) -> Iterator[ThreadedServer]:  # noqa: ANN001
    from scelle_portal.config import Settings
    from scelle_portal.entrypoints.flask_app import create_app

    dead = f"http://127.0.0.1:{free_port()}"  # documents and billing do not run here
    settings = Settings(jwks=principal_signer.jwks, identity_url=identity_server.url,
                        expertise_url=expertise_server.url, designation_url=designation_server.url,
                        documents_url=dead, billing_url=dead, log_level="WARNING", connect_timeout_seconds=0.5)
    with ThreadedServer(create_app(settings)) as server:
        yield server


@pytest.fixture(scope="session")
def gateway(pki, identity_server, expertise_server, designation_server, portal_server,  # noqa: ANN001
            gateway_secret) -> Iterator[GatewayProcess]:
    services = {"identity": identity_server.port, "expertise": expertise_server.port,
                "designation": designation_server.port, "portal": portal_server.port}
    with GatewayProcess(pki, services, gateway_secret=gateway_secret) as process:
        yield process


@pytest.fixture(scope="session")
def certificate_policy(gateway) -> Iterator[None]:  # noqa: ANN001
    """Chromium presents the (only) certificate of its NSS database to the test gateway."""
    POLICY_DIR.mkdir(parents=True, exist_ok=True)
    pattern = json.dumps({"pattern": f"https://localhost:{gateway.port}", "filter": {}})
    POLICY_FILE.write_text(json.dumps({"AutoSelectCertificateForUrls": [pattern]}), encoding="utf-8")
    yield
    POLICY_FILE.unlink(missing_ok=True)


@pytest.fixture
def browser(pki, gateway, certificate_policy, tmp_path) -> Iterator[Callable[[str | None], Chromium]]:  # noqa: ANN001
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
