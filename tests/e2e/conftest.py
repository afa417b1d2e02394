"""Fixtures of the end-to-end tests: real nginx, real certificates, real identity.

One session builds, from nothing:

* the project's dev PKI (``deploy/pki``) in a temporary directory;
* identity's database (migrated by its Alembic history) seeded by the real CLI the local stack
  runs (``scelle-identity seed-demo --manifest``): an account for every registered demo user;
* identity's real Flask app (``create_app``) and a small echo *service* (it only reports what
  reached it, and verifies the principal token with the services' own verifier), each served
  by werkzeug in a thread;
* a private nginx rendered from ``deploy/gateway`` exactly as ``./scelle up`` renders it, in
  front of both, plus a route to a port where nothing listens; identity requires the gateway's
  shared secret, as in the local stack.

Principal tokens are signed with the session's ``principal_signer`` key, so a test can also
make (or forge) tokens with it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jwt.algorithms import OKPAlgorithm

from scelle_common.testing.servers import free_port
from scelle_common.testing.smtp import SmtpCapture
from scelle_common.testing.tokens import PrincipalSigner
from tests.e2e.harness import (
    ROOT,
    GatewayProcess,
    Pki,
    ThreadedServer,
    UploadProbe,
    dev_pki,
    echo_app,
)

IDENTITY = ROOT / "services" / "identity"
# Large enough for the 50 MB streaming test, small enough to test 413 cheaply.
MAX_BODY = "64m"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return dev_pki(tmp_path_factory.mktemp("e2e-pki") / "pki")


@pytest.fixture(scope="session")
def signing_key(principal_signer: PrincipalSigner) -> str:
    """identity's private signing JWK: the session signer's key, so its JWKS verifies it."""
    jwk = json.loads(OKPAlgorithm.to_jwk(principal_signer.private_key))
    return json.dumps(jwk | {"kid": principal_signer.kid, "alg": "EdDSA", "use": "sig"})


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpCapture]:
    capture = SmtpCapture().start()
    yield capture
    capture.stop()


@pytest.fixture(scope="session")
def gateway_secret() -> str:
    return secrets.token_urlsafe(32)


@pytest.fixture(scope="session")
def identity_env(database_factory, rabbitmq_url, pki, principal_signer, signing_key, smtp,  # noqa: ANN001
                 gateway_secret) -> dict[str, str]:
    """identity's settings as environment variables, as the local stack writes them."""
    cert, key = pki.software_ca()
    return {
        "IDENTITY_DATABASE_URL": database_factory(IDENTITY / "migrations", hint="e2e_identity"),
        "IDENTITY_BROKER_URL": rabbitmq_url,
        "IDENTITY_JWKS": principal_signer.jwks,
        "IDENTITY_SIGNING_KEY": signing_key,
        "IDENTITY_TRUSTED_ISSUERS_DIR": str(pki.cas_dir),
        # Re-read CAs and CRLs on every decision: the revocation test revokes mid-session.
        "IDENTITY_TRUST_RELOAD_SECONDS": "0",
        "IDENTITY_SOFTWARE_CA_CERT": cert,
        "IDENTITY_SOFTWARE_CA_KEY": key,
        "IDENTITY_SMTP_HOST": smtp.host,
        "IDENTITY_SMTP_PORT": str(smtp.port),
        "IDENTITY_GATEWAY_SECRET": gateway_secret,
        "IDENTITY_LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="session")
def seeded(identity_env, pki) -> dict[str, Any]:  # noqa: ANN001
    """The demo accounts, created by the command ``./scelle up`` runs."""
    command = [str(Path(sys.executable).parent / "scelle-identity"), "seed-demo",
               "--manifest", str(pki.out / "manifest.json")]
    result = subprocess.run(command, env=os.environ | identity_env, capture_output=True, text=True, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def identity_server(identity_env, seeded) -> Iterator[ThreadedServer]:  # noqa: ANN001
    from scelle_common.config import load_settings
    from scelle_identity.config import Settings
    from scelle_identity.entrypoints.flask_app import create_app

    settings = load_settings(Settings, identity_env)
    settings.require_api()
    app = create_app(settings)
    with ThreadedServer(app) as server:
        yield server
    app.extensions["scelle_runtime"].close()


@pytest.fixture(scope="session")
def upload_probe() -> UploadProbe:
    return UploadProbe.new()


@pytest.fixture(scope="session")
def echo_server(principal_signer, upload_probe) -> Iterator[ThreadedServer]:  # noqa: ANN001
    with ThreadedServer(echo_app(principal_signer.jwks, upload_probe)) as server:
        yield server


@pytest.fixture(scope="session")
def gateway(pki, identity_server, echo_server, gateway_secret) -> Iterator[GatewayProcess]:  # noqa: ANN001
    services = {"identity": identity_server.port, "echo": echo_server.port, "down": free_port()}
    with GatewayProcess(pki, services, max_body_size=MAX_BODY, gateway_secret=gateway_secret) as process:
        yield process
