"""The gateway's auth subrequest: every outcome, the problem header, the token, the audit row."""

from __future__ import annotations

import json

import jwt
import pytest

from scelle_common.http import PrincipalVerifier

from .conftest import audit_rows, problem, register

ME = "/api/identity/v1/accounts/me"


def problem_header(response):
    """The header nginx forwards: ASCII-only JSON on one line, the same document as the body."""
    raw = response.headers["X-Scelle-Problem"]
    assert raw.isascii() and "\n" not in raw
    document = json.loads(raw)
    assert document == problem(response)
    return document


def test_a_request_without_certificate_is_a_401_certificate_required(gateway):
    response = gateway.authenticate(None)
    assert response.status_code == 401
    assert problem_header(response)["type"] == "/problems/certificate-required"
    assert "X-Scelle-Principal" not in response.headers


def test_a_certificate_from_an_unknown_authority_is_a_403_untrusted(gateway, pki):
    response = gateway.authenticate(pki.issue("untrusted", "expert"),
                                    verify="FAILED:unable to verify the first certificate")
    assert response.status_code == 403
    body = problem_header(response)
    assert body["type"] == "/problems/certificate-untrusted"
    assert "Ministère de la Justice" in body["detail"]


def test_identity_refuses_an_untrusted_certificate_even_when_the_gateway_said_success(gateway, pki):
    response = gateway.authenticate(pki.issue("untrusted", "avocat"), verify="SUCCESS")
    assert (response.status_code, problem(response)["type"]) == (403, "/problems/certificate-untrusted")


def test_identity_refuses_a_certificate_the_gateway_failed_even_if_identity_trusts_it(gateway, pki):
    cert = pki.issue("experts")
    register(gateway, cert)
    response = gateway.authenticate(cert, verify="FAILED:certificate revoked")
    body = problem(response)
    assert (response.status_code, body["type"]) == (403, "/problems/certificate-untrusted")
    assert "certificate revoked" in body["detail"]


def test_a_revoked_certificate_is_a_403_whose_detail_says_what_to_do(gateway, pki):
    cert = pki.issue("avocats", "avocat")
    register(gateway, cert, court_code=None, specialities=[], address=None, national_list=None)
    assert gateway.authenticate(cert).status_code == 200
    pki.revoke(cert)
    response = gateway.authenticate(cert)
    body = problem_header(response)
    assert (response.status_code, body["type"]) == (403, "/problems/certificate-revoked")
    assert "révoqué le" in body["detail"] and "lien d'association" in body["detail"]
    assert body["revoked_at"]


def test_an_expired_certificate_is_a_403_whose_detail_says_how_to_renew_and_associate(gateway, pki):
    response = gateway.authenticate(pki.issue("experts", expired=True))
    body = problem_header(response)
    assert (response.status_code, body["type"]) == (403, "/problems/certificate-expired")
    assert "expiré le" in body["detail"] and "Ajouter un certificat" in body["detail"]


def test_an_unknown_trusted_certificate_is_invited_to_register_then_gets_in(gateway, pki, services):
    cert = pki.issue("experts", given_name="Lucie", surname="Bernard")
    refused = gateway.authenticate(cert, uri=ME)
    body = problem_header(refused)
    assert (refused.status_code, body["type"]) == (401, "/problems/certificate-not-registered")
    assert body["registration_route"] == "/api/identity/v1/registrations"
    assert "/api/identity/v1/registrations" in body["detail"]

    account = register(gateway, cert)
    assert (account["profile"], account["given_name"], account["surname"]) == ("expert", "Lucie", "Bernard")

    answer = gateway.authenticate(cert, uri=ME)
    assert answer.status_code == 200
    assert answer.headers["X-Scelle-Grant"] == "principal"
    me = gateway.call(cert, "GET", ME)
    assert me.status_code == 200 and me.get_json()["id"] == account["id"]


def test_the_principal_token_carries_the_claims_of_the_design_and_lives_five_minutes(gateway, pki, keys_dir):
    cert = pki.issue("justice", "greffier")
    account = register(gateway, cert, profile="greffier", court_code=None, specialities=[], address=None,
                       national_list=None, address_text="Tribunal judiciaire de Paris")
    token = gateway.authenticate(cert, ip="198.51.100.4").headers["X-Scelle-Principal"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["kid"]
    principal = PrincipalVerifier((keys_dir / "jwks.json").read_text()).verify(token)
    assert principal.account_id == account["id"]
    assert (principal.profile, principal.cert_fingerprint, principal.cert_serial, principal.client_ip) == (
        "greffier", cert.fingerprint, cert.serial_hex, "198.51.100.4")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == "scelle-identity" and claims["exp"] - claims["iat"] == 300 and claims["jti"]


def test_an_unregistered_certificate_gets_a_short_registrant_token_only_on_registration_routes(gateway, pki):
    cert = pki.issue("experts")
    for method, uri in [("POST", "/api/identity/v1/registrations"), ("GET", "/api/identity/v1/cgu/current"),
                        ("GET", "/api/identity/v1/courts"), ("GET", "/api/identity/v1/specialities"),
                        ("POST", "/api/identity/v1/association-links/" + "a" * 43 + "/redeem")]:
        answer = gateway.authenticate(cert, method, uri)
        assert answer.status_code == 200, uri
        claims = jwt.decode(answer.headers["X-Scelle-Principal"], options={"verify_signature": False})
        assert claims["prf"] == "registrant" and claims["sub"] == f"cert:{cert.fingerprint}"
        assert claims["exp"] - claims["iat"] == 120
        assert answer.headers["X-Accel-Expires"] == "0"
    for method, uri in [("GET", ME), ("GET", "/api/expertise/v1/expertises"),
                        ("POST", "/api/identity/v1/registrations/../accounts/me"),
                        ("GET", "/api/identity/v1/registrations")]:
        assert gateway.authenticate(cert, method, uri).status_code == 401, uri


def test_only_an_unconditional_principal_answer_may_be_cached_by_the_gateway(gateway, pki):
    cert = pki.issue("experts")
    register(gateway, cert)
    assert gateway.authenticate(cert).headers["X-Accel-Expires"] == "30"
    assert gateway.authenticate(None).headers["X-Accel-Expires"] == "0"


def test_public_routes_pass_without_certificate_and_without_principal(gateway):
    for method, uri in [("GET", "/api/identity/v1/jwks.json"), ("GET", "/api/identity/v1/crls/software-ca.crl"),
                        ("POST", "/api/identity/v1/software-certificate-packages/" + "b" * 43)]:
        answer = gateway.authenticate(None, method, uri)
        assert answer.status_code == 200, uri
        assert answer.headers["X-Scelle-Grant"] == "anonymous"
        assert "X-Scelle-Principal" not in answer.headers


def test_every_decision_is_audited_with_fingerprint_serial_address_and_outcome(gateway, pki, database_url):
    cert = pki.issue("experts", expired=True)
    gateway.authenticate(cert, uri="/api/documents/v1/x", ip="192.0.2.55")
    rows = audit_rows(database_url, "gateway.authenticate", cert_fingerprint=cert.fingerprint)
    assert len(rows) == 1
    row = rows[0]
    assert (row.cert_serial, row.client_ip, row.outcome, row.target) == (
        cert.serial_hex, "192.0.2.55", "certificate-expired", "GET /api/documents/v1/x")


def test_an_unreadable_certificate_header_is_refused_as_untrusted(gateway, client):
    response = client.get("/internal/v1/authenticate", headers={
        "X-Client-Cert": "-----BEGIN%20CERTIFICATE-----%0Agarbage", "X-Client-Verify": "SUCCESS",
        "X-Original-Method": "GET", "X-Original-Uri": ME})
    assert (response.status_code, problem(response)["type"]) == (403, "/problems/certificate-untrusted")


@pytest.mark.parametrize("tamper", ["signature", "expired"])
def test_a_tampered_or_expired_token_is_refused_by_a_service(gateway, pki, client, clock, tamper):
    cert = pki.issue("experts")
    register(gateway, cert)
    if tamper == "expired":
        clock.advance(minutes=-10)  # identity signs a token that ended five minutes ago
        token = gateway.authenticate(cert).headers["X-Scelle-Principal"]
        clock.advance(minutes=10)
        expected = "expired token"
    else:
        token = gateway.authenticate(cert).headers["X-Scelle-Principal"]
        head, payload, signature = token.split(".")
        claims = json.loads(jwt.utils.base64url_decode(payload))
        claims["prf"] = "operateur"
        token = ".".join([head, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), signature])
        expected = "invalid token"
    response = client.get("/v1/accounts/me", headers={"X-Scelle-Principal": token})
    body = problem(response)
    assert (response.status_code, body["type"], body["detail"]) == (401, "/problems/invalid-principal", expected)


def test_without_signing_key_the_authenticator_answers_503_instead_of_guessing(settings_for, pki, clock):
    from scelle_identity.entrypoints.flask_app import create_app

    app = create_app(settings_for(signing_key=""), clock=clock)
    try:
        cert = pki.issue("experts")
        response = app.test_client().get("/internal/v1/authenticate", headers={
            "X-Client-Cert": cert.header, "X-Client-Verify": "SUCCESS", "X-Original-Method": "POST",
            "X-Original-Uri": "/api/identity/v1/registrations"})
        assert (response.status_code, problem(response)["type"]) == (503, "/problems/not-configured")
    finally:
        app.extensions["scelle_runtime"].close()


def test_with_a_gateway_secret_only_the_gateway_may_ask(settings_for, pki, clock):
    from scelle_identity.entrypoints.flask_app import create_app

    app = create_app(settings_for(gateway_secret="s3cr3t-entre-nginx-et-identity"), clock=clock)
    try:
        headers = {"X-Client-Cert": pki.issue("experts").header, "X-Client-Verify": "SUCCESS",
                   "X-Original-Method": "POST", "X-Original-Uri": "/api/identity/v1/registrations"}
        client = app.test_client()
        stranger = client.get("/internal/v1/authenticate", headers=headers)
        assert (stranger.status_code, problem(stranger)["type"]) == (403, "/problems/gateway-not-trusted")
        assert "X-Scelle-Problem" in stranger.headers
        nginx = client.get("/internal/v1/authenticate",
                           headers=headers | {"X-Scelle-Gateway-Secret": "s3cr3t-entre-nginx-et-identity"})
        assert nginx.status_code == 200 and nginx.headers["X-Scelle-Grant"] == "registrant"
    finally:
        app.extensions["scelle_runtime"].close()
