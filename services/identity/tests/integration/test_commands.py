"""The ``scelle-identity`` commands the local stack and operations run."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.serialization import pkcs12

from scelle_common.http import InvalidPrincipal, PrincipalVerifier
from scelle_identity.adapters import signing
from scelle_identity.entrypoints.cli import cli
from scelle_identity.entrypoints.flask_app import create_app

from .conftest import MIGRATIONS, Cert, Gateway, outbox_events, problem, register


@pytest.fixture
def environment(database_factory, rabbitmq_url, pki, keys_dir, tmp_path):
    """The variables the local stack sets, on a database of the test's own."""
    ca_cert, ca_key = pki.ca_files("scelle")
    (tmp_path / "ca.pem").write_text(ca_cert)
    (tmp_path / "ca.key").write_text(ca_key)
    return {
        "IDENTITY_DATABASE_URL": database_factory(MIGRATIONS, hint="identity_cli"),
        "IDENTITY_BROKER_URL": rabbitmq_url,
        "IDENTITY_JWKS_FILE": str(keys_dir / signing.PUBLIC_NAME),
        "IDENTITY_SIGNING_KEY_FILE": str(keys_dir / signing.PRIVATE_NAME),
        "IDENTITY_TRUSTED_ISSUERS_DIR": str(pki.cas_dir),
        "IDENTITY_SOFTWARE_CA_CERT_FILE": str(tmp_path / "ca.pem"),
        "IDENTITY_SOFTWARE_CA_KEY_FILE": str(tmp_path / "ca.key"),
    }


def run(environment: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def app_on(environment: dict[str, str], settings_for):
    return create_app(settings_for(database_url=environment["IDENTITY_DATABASE_URL"]))


def manifest_cert(pki, name: str) -> Cert:
    from cryptography import x509

    entry = next(i for i in json.loads(pki.manifest().read_text())["identities"] if i["name"] == name)
    return Cert(x509.load_pem_x509_certificate((pki.out / entry["cert"]).read_bytes()), None, entry["family"])


def test_seed_demo_registers_the_manifest_accounts_once(environment, pki, settings_for):
    first = json.loads(run(environment, "seed-demo", "--manifest", str(pki.manifest())).splitlines()[-1])
    assert sorted(first["created"]) == sorted(["magistrat", "greffier", "expert", "expert-2", "avocat", "partie",
                                               "sapiteur-externe", "operateur", "expert-expired", "avocat-revoked"])
    second = json.loads(run(environment, "seed-demo", "--manifest", str(pki.manifest())).splitlines()[-1])
    assert second["created"] == [] and len(second["skipped"]) == 10

    app = app_on(environment, settings_for)
    try:
        gateway = Gateway(app.test_client())
        assert gateway.call(manifest_cert(pki, "expert"), "GET", "/api/identity/v1/accounts/me").get_json()[
            "court_code"] == "paris"
        assert gateway.call(manifest_cert(pki, "expert-2"), "GET", "/api/identity/v1/accounts/me").get_json()[
            "court_code"] == "versailles"
        for name, expected in [("expert-expired", "/problems/certificate-expired"),
                               ("avocat-revoked", "/problems/certificate-revoked"),
                               ("expert-unregistered", "/problems/certificate-not-registered"),
                               ("untrusted-expert", "/problems/certificate-untrusted")]:
            assert problem(gateway.authenticate(manifest_cert(pki, name)))["type"] == expected, name
        registered = outbox_events(environment["IDENTITY_DATABASE_URL"], "identity.account_registered.v1")
        assert len(registered) == 10
    finally:
        app.extensions["scelle_runtime"].close()


def test_the_first_operator_is_bootstrapped_once_with_an_issued_certificate(environment, tmp_path, settings_for):
    run(environment, "load-reference-data")
    (tmp_path / "password").write_text("mot de passe opérateur\n")
    output = run(environment, "bootstrap-operator", "--email", "claire@scelle.test", "--given-name", "Claire",
                 "--surname", "Fontaine", "--out", str(tmp_path / "out"), "--p12-password-file",
                 str(tmp_path / "password"))
    assert "operator" in output
    p12 = tmp_path / "out" / "operator.p12"
    assert p12.stat().st_mode & 0o777 == 0o600
    loaded = pkcs12.load_pkcs12(p12.read_bytes(), "mot de passe opérateur".encode())
    operator = Cert(loaded.cert.certificate, loaded.key, "scelle")

    app = app_on(environment, settings_for)
    try:
        gateway = Gateway(app.test_client())
        assert problem(gateway.authenticate(operator))["type"] == "/problems/cgu-acceptance-required"
        gateway.call(operator, "POST", "/api/identity/v1/cgu/acceptances", json={"version": "v202004-01"})
        assert gateway.call(operator, "GET", "/api/identity/v1/accounts/me").get_json()["profile"] == "operateur"
    finally:
        app.extensions["scelle_runtime"].close()

    again = CliRunner().invoke(cli, ["bootstrap-operator", "--email", "x@scelle.test", "--given-name", "X",
                                     "--surname", "Y", "--out", str(tmp_path / "out2"), "--p12-password-file",
                                     str(tmp_path / "password")], env=environment)
    assert again.exit_code == 1 and "existe déjà" in again.output


def test_an_operator_is_bootstrapped_only_with_a_certificate_of_the_platform_ca(environment, pki, tmp_path):
    run(environment, "load-reference-data")
    expert = pki.issue("experts")
    (tmp_path / "expert.pem").write_text(expert.pem)
    result = CliRunner().invoke(cli, ["bootstrap-operator", "--email", "x@scelle.test", "--cert",
                                      str(tmp_path / "expert.pem")], env=environment)
    assert result.exit_code == 1 and "autorité Scellé" in result.output


def test_the_expiry_command_publishes_the_due_notices(environment, pki, settings_for):
    run(environment, "load-reference-data")
    app = app_on(environment, settings_for)
    try:
        gateway = Gateway(app.test_client())
        cert = pki.issue("experts", days=40)
        register(gateway, cert)
    finally:
        app.extensions["scelle_runtime"].close()
    assert "1 notice(s) published" in run(environment, "expiry-notices")
    assert "0 notice(s) published" in run(environment, "expiry-notices")


def test_the_crl_command_writes_a_pem_crl_for_the_gateway(environment, tmp_path):
    run(environment, "crl", "--out", str(tmp_path / "software-ca.crl.pem"))
    assert (tmp_path / "software-ca.crl.pem").read_text().startswith("-----BEGIN X509 CRL-----")


def test_keys_rotate_without_refusing_a_token_in_flight(tmp_path: Path):
    directory = tmp_path / "keys"
    run({}, "keys", "init", "--out", str(directory))
    assert (directory / signing.PRIVATE_NAME).stat().st_mode & 0o777 == 0o600
    old_signer = signing.TokenSigner((directory / signing.PRIVATE_NAME).read_text(),
                                     (directory / signing.PUBLIC_NAME).read_text())
    now = int(time.time())
    claims = {"iss": "scelle-identity", "sub": "a", "prf": "expert", "iat": now, "exp": now + 200, "jti": "j"}
    in_flight = old_signer.sign(claims)

    run({}, "keys", "stage", "--dir", str(directory))
    PrincipalVerifier((directory / signing.PUBLIC_NAME).read_text()).verify(in_flight)  # still signed by the old
    run({}, "keys", "promote", "--dir", str(directory))
    jwks = (directory / signing.PUBLIC_NAME).read_text()
    new_signer = signing.TokenSigner((directory / signing.PRIVATE_NAME).read_text(), jwks)
    assert new_signer.kid != old_signer.kid
    assert all("d" not in key for key in json.loads(jwks)["keys"])
    verifier = PrincipalVerifier(jwks)
    assert verifier.verify(in_flight).account_id == verifier.verify(new_signer.sign(claims)).account_id == "a"
    assert jwt.get_unverified_header(new_signer.sign(claims))["kid"] == new_signer.kid

    run({}, "keys", "prune", "--dir", str(directory))
    pruned = (directory / signing.PUBLIC_NAME).read_text()
    assert [key["kid"] for key in json.loads(pruned)["keys"]] == [new_signer.kid]
    with pytest.raises(InvalidPrincipal, match="unknown signing key"):
        PrincipalVerifier(pruned).verify(in_flight)


def test_a_signing_key_missing_from_the_jwks_stops_the_service(settings_for, keys_dir, tmp_path):
    from scelle_common.config import ConfigError

    other = tmp_path / "other"
    signing.init_keys(other)
    with pytest.raises(ConfigError, match="not in IDENTITY_JWKS"):
        create_app(settings_for(signing_key=(other / signing.PRIVATE_NAME).read_text()))


def test_a_real_api_process_refuses_to_start_without_its_key_material(environment):
    import subprocess
    import sys

    env = {key: value for key, value in environment.items() if key != "IDENTITY_SIGNING_KEY_FILE"}
    result = subprocess.run([sys.executable, "-c", "import scelle_identity.entrypoints.wsgi"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "IDENTITY_SIGNING_KEY is required" in result.stderr
