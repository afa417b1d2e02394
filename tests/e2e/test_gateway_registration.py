"""The gateway and the portal's first-login pages: a trusted certificate no account holds reaches
the registration pages with a registrant token, is told « Disposez-vous d'un compte ? » anywhere
else, and an account with a CGU version to accept is taken to the CGU page from any page.

The portal here is a stand-in that reports what reached it (the real one is tested in
tests/browser): what matters is what the gateway and the real identity decide.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from scelle_common.http.principal import PRINCIPAL_HEADER, InvalidPrincipal, PrincipalVerifier
from tests.e2e.harness import GatewayProcess, ThreadedServer, devpki
from tests.e2e.test_gateway import assert_problem, call


def stand_in_portal(jwks: str) -> Callable[..., Iterable[bytes]]:
    """Answers every path with JSON: the method, path and the principal it received (verified)."""
    verifier = PrincipalVerifier(jwks)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        token = environ.get("HTTP_" + PRINCIPAL_HEADER.upper().replace("-", "_"))
        principal = None
        if token:
            try:
                verified = verifier.verify(token)
                principal = {"account_id": verified.account_id, "profile": verified.profile}
            except InvalidPrincipal as exc:
                principal = {"problem": str(exc)}
        if environ["PATH_INFO"].startswith("/static/"):
            start_response("200 OK", [("Content-Type", "text/css")])
            return [b"body { color: #1b1b1b; }"]
        body = json.dumps({"method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"],
                           "principal": principal}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    return app


@pytest.fixture(scope="module")
def portal_gateway(pki, identity_server, principal_signer, gateway_secret) -> Iterator[GatewayProcess]:  # noqa: ANN001
    with ThreadedServer(stand_in_portal(principal_signer.jwks)) as portal, \
            GatewayProcess(pki, {"identity": identity_server.port, "portal": portal.port},
                           gateway_secret=gateway_secret) as process:
        yield process


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()


def new_certificate(pki, profile: str = "expert", family: str = "experts") -> str:  # noqa: ANN001
    """A trusted certificate of the session's PKI that no account holds yet (its user name)."""
    entry = devpki.issue(pki.out, devpki.m.Identity(
        name=f"{profile}-{uuid.uuid4().hex[:8]}", given_name="Lucie", surname="Bernard", profile=profile,
        family=family, org_unit="Cour d'appel de Bordeaux", email=f"{uuid.uuid4().hex[:8]}@experts-justice.test",
        registered=False))
    return str(entry["name"])


def register(http: requests.Session, gateway: GatewayProcess, user: str) -> dict[str, Any]:
    cgu = call(http, gateway, "/api/identity/v1/cgu/current", user).json()
    form = {"email": gateway.pki.identity(user)["email"], "cgu_version": cgu["version"],
            "address": {"street": "1 place du Palais", "postal_code": "33000", "city": "Bordeaux"},
            "court_code": "bordeaux", "specialities": ["E.1.3"]}
    response = call(http, gateway, "/api/identity/v1/registrations", user, "POST", json=form)
    assert response.status_code == 201, response.text
    return response.json()


def test_an_unknown_certificate_is_asked_whether_it_has_an_account(http, portal_gateway, pki) -> None:  # noqa: ANN001
    user = new_certificate(pki)
    for path in ("/", "/compte", "/designations"):
        response = call(http, portal_gateway, path, user)
        assert response.status_code == 401, response.text
        assert response.headers["Content-Type"].startswith("text/html")
        page = response.text
        assert "Nouveau certificat reconnu" in page and "Disposez-vous d’un compte ?" in page, page
        assert 'href="/inscription"' in page and 'href="/inscription/association"' in page
        assert response.headers["X-Request-Id"] in page and "{" not in page

    anonymous = call(http, portal_gateway, "/")
    assert anonymous.status_code == 401 and "Certificat requis" in anonymous.text
    assert "Disposez-vous" not in anonymous.text


def test_the_registration_pages_get_a_registrant_token(http, portal_gateway, pki) -> None:  # noqa: ANN001
    user = new_certificate(pki)
    for method, path in (("GET", "/inscription"), ("POST", "/inscription"), ("GET", "/inscription/association"),
                         ("POST", "/inscription/association/" + "a" * 32)):
        response = call(http, portal_gateway, path, user, method)
        assert response.status_code == 200, (path, response.text)
        reached = response.json()
        assert reached["path"] == path and reached["method"] == method
        assert reached["principal"]["profile"] == "registrant", reached
    # Only those pages: the rest of the portal and the API stay closed to it.
    assert call(http, portal_gateway, "/inscriptions", user).status_code == 401
    assert_problem(call(http, portal_gateway, "/api/identity/v1/accounts/me", user), 401, "certificate-not-registered")
    # The association link's secret is not written to the access log.
    secret = "b" * 32
    response = call(http, portal_gateway, f"/inscription/association/{secret}", user)
    logged = portal_gateway.log_entry(response.headers["X-Request-Id"])
    assert logged["path"] == "/inscription/association/***" and secret not in json.dumps(logged)


def test_an_account_reaches_the_registration_pages_as_itself(http, portal_gateway) -> None:  # noqa: ANN001
    response = call(http, portal_gateway, "/inscription", "magistrat")
    assert response.status_code == 200 and response.json()["principal"]["profile"] == "magistrat"


def test_the_portals_stylesheet_needs_no_certificate(http, portal_gateway) -> None:  # noqa: ANN001
    response = call(http, portal_gateway, "/static/portal.css")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/css")
    assert call(http, portal_gateway, "/static/portal.css", method="POST").status_code == 403


def test_an_account_with_a_new_cgu_version_is_taken_to_the_cgu_page_from_any_page(
        http, portal_gateway, pki, identity_env) -> None:  # noqa: ANN001
    user = new_certificate(pki)
    # (No page before the change: the gateway would reuse that answer for 30 s.)
    account = register(http, portal_gateway, user)
    # As if a new version had been published since: this account has not accepted the one in force.
    engine = create_engine(identity_env["IDENTITY_DATABASE_URL"])
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE accounts SET cgu_version = NULL WHERE id = :id"),
                               {"id": account["id"]})
    finally:
        engine.dispose()

    for path in ("/", "/compte", "/inscription"):
        response = call(http, portal_gateway, path, user, allow_redirects=False)
        assert response.status_code == 303, (path, response.text)
        assert response.headers["Location"] == "/cgu"
    page = call(http, portal_gateway, "/cgu", user)
    assert page.status_code == 200 and page.json()["principal"] == {"account_id": account["id"], "profile": "expert"}
    posted = call(http, portal_gateway, "/cgu", user, "POST")
    assert posted.status_code == 200 and posted.json()["method"] == "POST"
    # The API keeps its problem+json.
    assert_problem(call(http, portal_gateway, "/api/identity/v1/accounts/me", user), 403, "cgu-acceptance-required")

    current = call(http, portal_gateway, "/api/identity/v1/cgu/current", user).json()["version"]
    accepted = call(http, portal_gateway, "/api/identity/v1/cgu/acceptances", user, "POST", json={"version": current})
    assert accepted.status_code == 200, accepted.text
    assert call(http, portal_gateway, "/", user).status_code == 200


def test_a_mailed_association_link_opened_in_a_browser_leads_to_the_portals_page(http, portal_gateway, pki) -> None:  # noqa: ANN001
    user = new_certificate(pki)
    link = "/api/identity/v1/association-links/" + "c" * 43
    for headers in ({"Sec-Fetch-Dest": "document", "Accept": "text/html"}, {"Accept": "text/html,*/*;q=0.8"}):
        response = call(http, portal_gateway, link, user, headers=headers, allow_redirects=False)
        assert response.status_code == 303, response.text
        assert response.headers["Location"] == "/inscription/association/" + "c" * 43
    # An API client (or a script's fetch) still talks to identity: an unknown link is its 404 problem.
    for headers in ({"Accept": "application/json"}, {"Sec-Fetch-Dest": "empty", "Accept": "text/html"}):
        assert_problem(call(http, portal_gateway, link, user, headers=headers), 404, "not-found")
