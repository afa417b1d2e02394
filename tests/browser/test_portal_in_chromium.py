"""The portal in real headless Chromium, through the real gateway, with real client certificates.

Each main screen is saved under var/screenshots/ (gitignored) by the run.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import requests

from scelle_common.events import new_event, serialize_event
from scelle_common.messaging import Outcome
from tests.e2e.harness import TlsClient

MAGISTRAT_EMAIL = "camille.rousseau@justice.test"
EXPERT_EMAIL = "helene.garnier@experts-justice.test"


def account_ids(identity_env: dict[str, str]) -> dict[str, str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(identity_env["IDENTITY_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return dict(connection.execute(text("SELECT email, id FROM accounts")).all())  # type: ignore[arg-type]
    finally:
        engine.dispose()


def call(signer: Any, account_id: str, profile: str, url: str, body: Any = None) -> Any:
    headers = {"X-Scelle-Principal": signer.sign(account_id=account_id, profile=profile)}
    response = requests.post(url, json=body, headers=headers, timeout=10)
    assert response.status_code < 300, response.text
    return response.json()


def deposit_file(designation_app: Any, designation_id: str) -> None:
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


def test_the_gateway_serves_the_portal_only_with_a_certificate(gateway) -> None:  # noqa: ANN001
    anonymous = TlsClient(gateway.port, gateway.pki.server_ca)
    magistrat = TlsClient(gateway.port, gateway.pki.server_ca, gateway.pki.cert("magistrat"))
    try:
        status, headers, body = anonymous.request("GET", "/")
        assert status == 401 and headers["content-type"].startswith("text/html"), body
        assert "Certificat requis" in body.decode()
        status, headers, body = magistrat.request("GET", "/")
        assert status == 200 and headers["content-type"].startswith("text/html"), body
        assert "Camille Rousseau" in body.decode()
        for path in ("/healthz", "/readyz", "/metrics", "/internal/x", "/api/nowhere/v1/x", "/api/portal/v1/x"):
            status, headers, body = magistrat.request("GET", path)
            assert status == 404 and b"/problems/not-found" in body, (path, body)
        status, _, body = magistrat.request("GET", "/static/portal.css")
        assert status == 200 and b"--blue" in body
    finally:
        anonymous.close()
        magistrat.close()


def test_magistrat_screens(browser, gateway, identity_env, principal_signer, designation_server,  # noqa: ANN001
                           designation_app, screenshots) -> None:
    ids = account_ids(identity_env)
    magistrat_id, expert_id = ids[MAGISTRAT_EMAIL], ids[EXPERT_EMAIL]
    card = {"account_id": expert_id, "given_name": "Hélène", "surname": "Garnier", "email": EXPERT_EMAIL,
            "court_code": "paris", "national_list": False, "specialities": []}
    draft = call(principal_signer, magistrat_id, "magistrat", f"{designation_server.url}/v1/designations",
                 {"expert": card, "designator": {"given_name": "Camille", "surname": "Rousseau", "email": MAGISTRAT_EMAIL}})
    deposit_file(designation_app, draft["id"])
    call(principal_signer, magistrat_id, "magistrat", f"{designation_server.url}/v1/designations/{draft['id']}/sending")

    chromium = browser("magistrat")
    chromium.open(gateway.url("/"))
    text = chromium.text()
    assert "Camille Rousseau" in text, text
    assert "En attente (1)" in text and "GARNIER Hélène" in text
    assert "Liste des expertises (0)" in text
    chromium.screenshot(screenshots / "01-espace-de-travail-magistrat.png")

    chromium.click("main a.button")  # « Désigner un expert »
    assert "Annuaire des experts" in chromium.text()
    chromium.type("#nom", "garn")
    chromium.click("form.search-form button[type=submit]")
    text = chromium.text()
    assert "Résultats (1)" in text and "GARNIER Hélène" in text, text
    chromium.script("document.getElementById('titre-resultats').scrollIntoView()")
    chromium.screenshot(screenshots / "02-annuaire-des-experts.png")

    chromium.click("#utilisateur")
    text = chromium.text()
    assert "Mon compte" in text and MAGISTRAT_EMAIL in text and "Vos certificats (1)" in text
    assert "Certificat utilisé" in text  # the certificate Chromium presented
    chromium.screenshot(screenshots / "03-mon-compte.png")


def test_expert_screens(browser, gateway, identity_env, principal_signer, expertise_server, screenshots) -> None:  # noqa: ANN001
    expert_id = account_ids(identity_env)[EXPERT_EMAIL]
    case = call(principal_signer, expert_id, "expert", f"{expertise_server.url}/v1/expertises", {
        "first_applicant": "Poitou", "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
        "rg_number": f"26/{uuid.uuid4().int % 100000:05d}", "expert_name": "Garnier",
        "designation_date": "14-11-2026"})

    chromium = browser("expert")
    chromium.open(gateway.url("/"))
    text = chromium.text()
    assert "Hélène Garnier" in text and case["display_name"] in text, text
    assert "Désignations à confirmer" in text
    chromium.screenshot(screenshots / "04-espace-de-travail-expert.png")

    chromium.open(gateway.url(f"/expertises/{case['id']}"))
    text = chromium.text()
    assert case["display_name"] in text and "En création" in text
    assert "Service partiellement indisponible" in text  # the vault does not run in this test
    chromium.screenshot(screenshots / "05-expertise-coffre-indisponible.png")


def test_without_a_certificate_the_browser_gets_a_french_page(browser, gateway, screenshots) -> None:  # noqa: ANN001
    chromium = browser(None)
    chromium.open(gateway.url("/"))
    text = chromium.text()
    assert "Certificat requis" in text and "{" not in text, text
    chromium.screenshot(screenshots / "06-sans-certificat.png")
