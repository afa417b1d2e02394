"""The mTLS gateway, end to end: a real nginx rendered from deploy/gateway, the dev PKI's real
certificates, identity's real app deciding, and an echo service reporting what reached it.

Fixtures: tests/e2e/conftest.py. Every refusal must come back as RFC 9457 problem+json,
whether nginx, identity or a service produced it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from scelle_common.testing.servers import free_port
from tests.e2e.harness import ROOT, GatewayProcess, TlsClient, dev_pki, devpki

PROBLEM = "application/problem+json"


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # never through a proxy the environment sets
    yield session
    session.close()


def call(http: requests.Session, gateway: GatewayProcess, path: str, user: str | None = None,
         method: str = "GET", **kwargs: Any) -> requests.Response:
    cert = gateway.pki.cert(user) if user else None
    return http.request(method, gateway.url(path), cert=cert, verify=gateway.pki.server_ca, timeout=60, **kwargs)


def assert_problem(response: requests.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].split(";")[0] == PROBLEM
    body = response.json()
    assert body["type"] == f"/problems/{slug}", body
    assert body["status"] == status
    assert body["title"]
    request_id = response.headers["X-Request-Id"]
    assert body["instance"] == f"/requests/{request_id}"
    return body


def sha1_of(pki, user: str) -> str:  # noqa: ANN001
    cert = x509.load_pem_x509_certificate((pki.out / "users" / user / "cert.pem").read_bytes())
    return hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).hexdigest()  # noqa: S324 - nginx's fingerprint


# -- TLS ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_tls_below_1_2_is_refused_with_a_protocol_version_alert(gateway, version):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(gateway.pki.server_ca)
    # Let this client offer the old version at all (OpenSSL 3 refuses to by default), so that
    # the refusal we see is the server's: a protocol_version alert.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python deprecates naming them at all
        context.minimum_version = context.maximum_version = getattr(ssl.TLSVersion, version)
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as raw:
        with pytest.raises(ssl.SSLError) as refused:
            context.wrap_socket(raw, server_hostname="localhost")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_1_2_and_1_3_are_accepted(gateway, version):
    client = TlsClient(gateway.port, gateway.pki.server_ca, gateway.pki.cert("magistrat"), tls_version=version)
    try:
        status, _headers, _body = client.request("GET", "/api/identity/v1/accounts/me")
        assert status == 200
        assert client.connection.sock.version() == version.name.replace("_", ".")
    finally:
        client.close()


# -- who may pass -------------------------------------------------------------------------------


def test_a_request_without_a_certificate_gets_identitys_401_certificate_required(http, gateway):
    body = assert_problem(call(http, gateway, "/api/identity/v1/accounts/me"), 401, "certificate-required")
    assert body["detail"]  # identity's words, carried over from its X-Scelle-Problem header


@pytest.mark.parametrize(("user", "slug"), [
    ("untrusted-expert", "certificate-untrusted"),
    ("avocat-revoked", "certificate-revoked"),
    ("expert-expired", "certificate-expired"),
])
def test_a_certificate_that_fails_verification_is_refused_with_a_problem(http, gateway, echo_server, user, slug):
    response = call(http, gateway, "/api/echo/v1/echo", user)
    body = assert_problem(response, 403, slug)
    assert body["detail"]
    entry = gateway.log_entry(response.headers["X-Request-Id"])
    assert entry["cert_verify"].startswith("FAILED:")
    assert entry["upstream"] == "" and entry["auth_status"] == ""  # neither identity nor the service was asked


def test_a_registered_certificate_gets_its_account(http, gateway, pki):
    response = call(http, gateway, "/api/identity/v1/accounts/me", "magistrat")
    assert response.status_code == 200, response.text
    account = response.json()
    assert account["profile"] == "magistrat"
    assert account["email"] == pki.identity("magistrat")["email"]


def test_an_unknown_trusted_certificate_registers_then_is_authenticated(http, gateway, pki):
    user = "expert-unregistered"
    refused = call(http, gateway, "/api/identity/v1/accounts/me", user)
    body = assert_problem(refused, 401, "certificate-not-registered")
    assert body["registration_route"] == "/api/identity/v1/registrations"

    cgu = call(http, gateway, "/api/identity/v1/cgu/current", user)
    assert cgu.status_code == 200, cgu.text
    form = {
        "email": pki.identity(user)["email"],
        "cgu_version": cgu.json()["version"],
        "phone_mobile": "+33 6 12 34 56 78",
        "address": {"street": "1 place du Palais", "postal_code": "75001", "city": "Paris", "country": "France"},
        "court_code": "paris",
        "national_list": False,
        "specialities": ["E.1.3"],
    }
    registered = call(http, gateway, "/api/identity/v1/registrations", user, "POST", json=form)
    assert registered.status_code == 201, registered.text

    me = call(http, gateway, "/api/identity/v1/accounts/me", user)
    assert me.status_code == 200, me.text
    assert me.json()["profile"] == "expert"
    assert me.json()["id"] == registered.json()["id"]


def test_a_public_identity_route_needs_no_certificate(http, gateway):
    response = call(http, gateway, "/api/identity/v1/jwks.json")
    assert response.status_code == 200, response.text
    assert response.json()["keys"]


# -- what reaches the service -------------------------------------------------------------------


def test_the_principal_token_reaches_the_service_and_verifies(http, gateway, pki):
    response = call(http, gateway, "/api/echo/v1/echo?x=1", "magistrat")
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["path"] == "/v1/echo" and seen["query"] == "x=1"
    assert seen["principal_problem"] is None
    principal = seen["principal"]
    assert principal["profile"] == "magistrat"
    assert principal["cert_fingerprint"] == pki.identity("magistrat")["fingerprint_sha256"]
    assert principal["client_ip"] == "127.0.0.1"
    assert seen["headers"]["X-Request-Id"] == response.headers["X-Request-Id"]
    assert seen["headers"]["X-Forwarded-Proto"] == "https"


def test_client_sent_identity_headers_never_reach_a_service(http, gateway, principal_signer):
    forged = principal_signer.sign(account_id="acc-forged", profile="operateur")  # validly signed, even
    spoofed = {
        "X-Scelle-Principal": forged,
        "x-scelle-principal": forged,
        "X-Scelle-Problem": "{}",
        "X-Scelle-Anything-Else": "1",
        "X-Client-Cert": "forged",
        "X-Client-Verify": "SUCCESS",
        "X-Client-Ip": "203.0.113.9",
        "X-Client-Whatever": "1",
        "X-Forwarded-For": "203.0.113.9",
        "X-Real-Ip": "203.0.113.9",
        "Forwarded": "for=203.0.113.9",
        "X-Request-Id": "client-chosen-id-123",
        "X-Kept": "kept",
    }
    response = call(http, gateway, "/api/echo/v1/echo", "magistrat", headers=spoofed)
    assert response.status_code == 200, response.text
    seen = response.json()
    headers = {name.lower(): value for name, value in seen["headers"].items()}
    assert not [name for name in headers if name.startswith("x-client-")]
    assert [name for name in headers if name.startswith("x-scelle-")] == ["x-scelle-principal"]
    assert headers["x-scelle-principal"] != forged
    assert seen["principal"]["profile"] == "magistrat"
    assert seen["principal"]["account_id"] != "acc-forged"
    assert headers["x-forwarded-for"] == "127.0.0.1" and headers["x-real-ip"] == "127.0.0.1"
    assert "forwarded" not in headers
    assert headers["x-request-id"] == response.headers["X-Request-Id"] != "client-chosen-id-123"
    assert headers["x-kept"] == "kept"


def test_a_spoofed_principal_without_a_certificate_is_ignored(http, gateway, principal_signer):
    forged = principal_signer.sign(account_id="acc-forged", profile="operateur")
    response = call(http, gateway, "/api/echo/v1/echo", headers={"X-Scelle-Principal": forged})
    assert_problem(response, 401, "certificate-required")


def test_a_tampered_or_expired_token_sent_straight_to_a_service_is_refused(http, identity_server, principal_signer):
    me = f"{identity_server.url}/v1/accounts/me"
    expired = principal_signer.sign(issued_at=int(time.time()) - 600, lifetime=300)
    header, payload, signature = principal_signer.sign().split(".")
    tampered = f"{header}.{payload[:-4]}AAAA.{signature}"
    for token, reason in ((expired, "expired token"), (tampered, "invalid token")):
        response = http.get(me, headers={"X-Scelle-Principal": token}, timeout=10)
        body = response.json()
        assert response.status_code == 401 and body["type"] == "/problems/invalid-principal", body
        assert body["detail"] == reason


# -- routing --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/",
    "/api/",
    "/api/nowhere/v1/x",
    "/api/echo/healthz",
    "/api/echo/readyz",
    "/api/echo/metrics",
    "/api/echo/internal/x",
    "/api/echo/v1/../healthz",
    "/api/echo/v1/%2e%2e/metrics",
    "/api/echo/v1/..%2f..%2fecho/internal/x",
    "/api/identity/internal/v1/authenticate",
    "/api/identity/v1/../internal/v1/authenticate",
    "/_scelle/authenticate",
    "/internal/v1/authenticate",
    "/healthz",
])
def test_unknown_routes_and_operational_endpoints_are_404_problems(gateway, path):
    # Raw requests: a client library would resolve the dot segments before sending.
    client = TlsClient(gateway.port, gateway.pki.server_ca, gateway.pki.cert("magistrat"))
    try:
        status, headers, body = client.request("GET", path)
    finally:
        client.close()
    assert status == 404, body
    assert b"LEAK" not in body
    assert headers["content-type"] == PROBLEM
    assert b'"type":"/problems/not-found"' in body


def test_a_services_own_errors_pass_through_with_the_gateways_request_id(http, gateway):
    response = call(http, gateway, "/api/identity/v1/no-such-route", "magistrat")
    body = assert_problem(response, 404, "not-found")  # identity's Flask answer, not nginx's
    assert response.headers["Content-Type"] == PROBLEM
    assert body["instance"] == f"/requests/{response.headers['X-Request-Id']}"  # identity used our id
    assert gateway.log_entry(response.headers["X-Request-Id"])["upstream_status"] == "404"


def test_each_service_openapi_document_is_exposed_to_authenticated_callers(http, gateway):
    response = call(http, gateway, "/api/echo/openapi.json", "magistrat")
    assert response.status_code == 200
    assert response.json()["path"] == "/openapi.json"
    assert_problem(call(http, gateway, "/api/echo/openapi.json"), 401, "certificate-required")


def test_a_service_that_does_not_answer_gives_a_503_problem(http, gateway):
    response = call(http, gateway, "/api/down/v1/anything", "magistrat")
    assert_problem(response, 503, "unavailable")
    assert response.headers["Retry-After"] == "5"


def test_only_the_gateway_may_ask_identity_who_a_certificate_is(http, gateway, identity_server, pki):
    # Straight to identity's internal route, claiming the magistrat's certificate: refused without
    # the gateway's secret (which the gateway itself sends: every other test passes through it).
    pem = (pki.out / "users" / "magistrat" / "cert.pem").read_text()
    response = http.get(f"{identity_server.url}/internal/v1/authenticate", timeout=10, headers={
        "X-Client-Cert": requests.utils.quote(pem, safe=""), "X-Client-Verify": "SUCCESS",
        "X-Client-Ip": "127.0.0.1", "X-Original-Method": "GET", "X-Original-Uri": "/api/identity/v1/accounts/me"})
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/gateway-not-trusted"
    assert "X-Scelle-Principal" not in response.headers


def test_identity_not_answering_gives_a_503_authentication_unavailable(http, pki, echo_server):
    with GatewayProcess(pki, {"identity": free_port(), "echo": echo_server.port}) as lonely:
        response = call(http, lonely, "/api/echo/v1/echo", "magistrat")
        assert_problem(response, 503, "authentication-unavailable")


# -- bodies ---------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_problem_before_anything_is_asked(gateway):
    client = TlsClient(gateway.port, gateway.pki.server_ca, gateway.pki.cert("magistrat"))
    try:
        # Only the declared length: nginx answers before reading a byte of body.
        status, headers, body = client.request("POST", "/api/echo/v1/upload",
                                               headers={"Content-Length": str(65 * 1024 * 1024)})
    finally:
        client.close()
    assert status == 413
    assert headers["content-type"] == PROBLEM
    assert b'"type":"/problems/payload-too-large"' in body
    entry = gateway.log_entry(headers["x-request-id"])
    assert entry["status"] == 413 and entry["auth_status"] == "" and entry["upstream"] == ""


def test_a_50_mb_upload_streams_through_without_being_buffered(gateway, upload_probe):
    size, chunk = 50 * 1024 * 1024, os.urandom(1024 * 1024)
    expected = hashlib.sha256(chunk * 50).hexdigest()
    upload_probe.first_chunk.clear()
    upload_probe.release.clear()
    reached_before_the_end = threading.Event()

    def body() -> Iterator[bytes]:
        yield chunk
        # Hold the remaining 49 MB back until the service has received the first bytes: if
        # nginx buffered the body, the service would see nothing and this would time out.
        if upload_probe.first_chunk.wait(timeout=20):
            reached_before_the_end.set()
        upload_probe.release.set()
        for _ in range(49):
            yield chunk

    # http.client sends an iterable body as it comes, with the declared length (no chunking).
    client = TlsClient(gateway.port, gateway.pki.server_ca, gateway.pki.cert("magistrat"))
    try:
        status, _headers, answer = client.request(
            "POST", "/api/echo/v1/upload?hold=1", body=body(),  # type: ignore[arg-type]
            headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"})
    finally:
        client.close()
    assert status == 200, answer
    assert reached_before_the_end.is_set(), "the service saw no byte before the client had sent everything"
    assert json.loads(answer) == {"received": size, "sha256": expected}
    assert gateway.temp_files() == []


# -- the auth cache and the access log ---------------------------------------------------------


def test_identity_is_asked_once_per_certificate_and_route_class_then_the_answer_is_reused(http, gateway):
    ids = [call(http, gateway, "/api/echo/v1/echo", "greffier").headers["X-Request-Id"] for _ in range(3)]
    ids.append(call(http, gateway, "/api/identity/v1/accounts/me", "greffier").headers["X-Request-Id"])
    entries = [gateway.log_entry(request_id) for request_id in ids]
    assert entries[0]["auth_cache"] in ("MISS", "EXPIRED") and entries[0]["auth_status"] == "200"
    assert [entry["auth_cache"] for entry in entries[1:]] == ["HIT", "HIT", "HIT"]  # same class: "other"


def test_refusals_and_requests_without_certificate_are_never_cached(http, gateway):
    first = call(http, gateway, "/api/echo/v1/echo")
    second = call(http, gateway, "/api/echo/v1/echo")
    for response in (first, second):
        entry = gateway.log_entry(response.headers["X-Request-Id"])
        assert entry["auth_status"] == "401" and entry["auth_cache"] == "BYPASS"


def test_the_access_log_is_json_with_the_certificate_fingerprint(http, gateway, pki):
    token = secrets.token_urlsafe(24)
    response = call(http, gateway, f"/api/identity/v1/association-links/{token}?secret=1", "avocat")
    entry = gateway.log_entry(response.headers["X-Request-Id"])
    assert entry["cert_sha1"] == sha1_of(pki, "avocat")
    assert entry["cert_verify"] == "SUCCESS"
    assert entry["client"] == "127.0.0.1" and entry["method"] == "GET" and entry["tls"].startswith("TLSv1.")
    assert entry["path"] == "/api/identity/v1/association-links/***"  # the one-time token is not logged
    assert token not in (gateway.config.access_log_path.read_text())
    assert entry["status"] == response.status_code
    assert isinstance(entry["request_time"], float) and isinstance(entry["bytes_sent"], int)
    assert entry["upstream_time"] != ""


# -- revocation ---------------------------------------------------------------------------------


def test_a_certificate_revoked_while_running_is_refused_by_identity_at_once_and_by_nginx_after_reload(
        http, gateway, pki):
    entry = devpki.issue(pki.out, devpki.m.Identity(
        name=f"greffier-{uuid.uuid4().hex[:8]}", given_name="Léa", surname="Renaud", profile="greffier",
        family="justice", org_unit="Tribunal judiciaire de Paris", email="lea.renaud@justice.test",
        registered=False))
    user = entry["name"]
    assert_problem(call(http, gateway, "/api/identity/v1/accounts/me", user), 401, "certificate-not-registered")

    devpki.revoke(pki.out, int(entry["serial_hex"], 16))
    # nginx still holds the old CRL until it reloads; identity reads the new one itself.
    by_identity = call(http, gateway, "/api/identity/v1/accounts/me", user)
    assert_problem(by_identity, 403, "certificate-revoked")
    assert gateway.log_entry(by_identity.headers["X-Request-Id"])["cert_verify"] == "SUCCESS"

    gateway.reload()
    http.close()  # a new TLS session: resumed ones keep their earlier verification
    by_nginx = call(http, gateway, "/api/identity/v1/accounts/me", user)
    assert_problem(by_nginx, 403, "certificate-revoked")
    assert gateway.log_entry(by_nginx.headers["X-Request-Id"])["cert_verify"] == "FAILED:certificate revoked"


def test_an_expired_crl_refuses_everyone_until_crlwatch_reissues_it_and_reloads_nginx(http, tmp_path):
    # Its own PKI and nginx: this test breaks the CRLs on purpose.
    pki = dev_pki(tmp_path / "pki")
    devpki.refresh_crls(pki.out, days=1, now=datetime.now(UTC) - timedelta(days=3))  # nextUpdate 2 days ago
    with GatewayProcess(pki, {"identity": free_port()}) as lonely:
        refused = call(http, lonely, "/nowhere", "magistrat")
        body = assert_problem(refused, 403, "certificate-untrusted")
        assert "révocation" in body["detail"]
        assert lonely.log_entry(refused.headers["X-Request-Id"])["cert_verify"] == "FAILED:CRL has expired"

        old = lonely.workers()
        http.close()
        watch = subprocess.run(
            [sys.executable, str(ROOT / "deploy" / "gateway" / "crlwatch.py"), "--pki", str(pki.out),
             "--nginx-pid-file", str(lonely.config.pid_path), "--once"],
            capture_output=True, text=True, timeout=120, check=False)
        assert watch.returncode == 0, watch.stderr
        assert "re-issuing" in watch.stdout and "reloaded" in watch.stdout, watch.stdout
        crls = (pki.out / "crls.pem").read_bytes()
        assert min(crl.next_update_utc for crl in _crls(crls)) > datetime.now(UTC) + timedelta(days=20)

        assert wait_until(lambda: not (lonely.workers() & old)), "nginx did not reload"
        passed = call(http, lonely, "/nowhere", "magistrat")
        assert_problem(passed, 404, "not-found")
        assert lonely.log_entry(passed.headers["X-Request-Id"])["cert_verify"] == "SUCCESS"


def _crls(bundle: bytes) -> list[x509.CertificateRevocationList]:
    blocks = bundle.split(b"-----END X509 CRL-----")
    return [x509.load_pem_x509_crl(block + b"-----END X509 CRL-----\n") for block in blocks if b"BEGIN" in block]


def wait_until(predicate: Callable[[], bool], timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
