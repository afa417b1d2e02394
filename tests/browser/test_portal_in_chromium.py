"""The portal in real headless Chromium, through the real gateway, with real client certificates.

Each main screen is saved under var/screenshots/ (gitignored) by the run.
"""

from __future__ import annotations

import re
import uuid

from tests.e2e.harness import TlsClient

MAGISTRAT_EMAIL = "camille.rousseau@justice.test"


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


def test_magistrat_screens(browser, gateway, people, designation_server, deposit_designation_file,  # noqa: ANN001
                           screenshots) -> None:
    magistrat, expert = people["magistrat"], people["expert"]
    card = {"account_id": expert.account_id, "given_name": "Hélène", "surname": "Garnier",
            "email": "helene.garnier@experts-justice.test", "court_code": "paris", "national_list": False,
            "specialities": []}
    draft = magistrat.call(designation_server.url, "POST", "/v1/designations", {"expert": card})
    deposit_designation_file(draft["id"])
    magistrat.call(designation_server.url, "POST", f"/v1/designations/{draft['id']}/sending")

    chromium = browser("magistrat")
    chromium.open(gateway.url("/"))
    text = chromium.text()
    assert "Camille Rousseau" in text, text
    assert re.search(r"En attente \(\d+\)", text) and "GARNIER Hélène" in text
    assert "Liste des expertises (" in text
    chromium.screenshot(screenshots / "01-espace-de-travail-magistrat.png")

    chromium.open(gateway.url(f"/designations/{draft['id']}"))
    chromium.click("a[href$='/relance']")
    chromium.wait_for_text("Relancer l'expert ?")
    chromium.screenshot(screenshots / "01b-relancer-confirmation.png")
    chromium.click("form button[type=submit]")
    text = chromium.wait_for_text("La relance a été envoyée à l'expert.")
    assert "Relances\n1, la dernière le" in text or "1, la dernière le" in text, text
    chromium.screenshot(screenshots / "01c-designation-relancee.png")

    chromium.open(gateway.url("/"))
    chromium.click("main a.button")  # « Désigner un expert »
    chromium.wait_for_text("Lancer la recherche")
    chromium.type("#nom", "garn")
    chromium.click("form.search-form button[type=submit]")
    text = chromium.wait_for_text("Résultats (")
    assert "Résultats (1)" in text and "GARNIER Hélène" in text, text
    chromium.script("document.getElementById('titre-resultats').scrollIntoView()")
    chromium.screenshot(screenshots / "02-annuaire-des-experts.png")

    chromium.click("#utilisateur")
    text = chromium.wait_for_text("Vos certificats")
    assert "Mon compte" in text and MAGISTRAT_EMAIL in text and "Vos certificats (1)" in text
    assert "Certificat utilisé" in text  # the certificate Chromium presented
    chromium.screenshot(screenshots / "03-mon-compte.png")


def test_expert_screens(browser, gateway, people, expertise_server, screenshots) -> None:  # noqa: ANN001
    case = people["expert"].call(expertise_server.url, "POST", "/v1/expertises", {
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
    chromium.screenshot(screenshots / "05-expertise-expert.png")  # its documents: test_expertise_in_chromium.py


def test_expert_answers_a_designation(browser, gateway, people, designation_server, deposit_designation_file,  # noqa: ANN001
                                      screenshots) -> None:
    magistrat, expert = people["magistrat"], people["expert"]
    card = {"account_id": expert.account_id, "given_name": "Hélène", "surname": "Garnier",
            "email": "helene.garnier@experts-justice.test", "court_code": "paris", "national_list": False,
            "specialities": []}
    draft = magistrat.call(designation_server.url, "POST", "/v1/designations", {"expert": card})
    deposit_designation_file(draft["id"])
    magistrat.call(designation_server.url, "POST", f"/v1/designations/{draft['id']}/sending")

    chromium = browser("expert")
    chromium.open(gateway.url(f"/designations/{draft['id']}"))
    chromium.click("a[href$='/reponse']")
    chromium.wait_for_text("Accepter la désignation")
    for field, value in (("#first_applicant", "Poitou"), ("#first_defender", "Hartmann"),
                         ("#jurisdiction", "TJ Bordeaux"), ("#rg_number", f"26/{uuid.uuid4().int % 100000:05d}"),
                         ("#designation_date", "14-11-2026")):
        chromium.type(field, value)
    chromium.screenshot(screenshots / "07-repondre-accepter.png")
    chromium.click("form button[type=submit]")
    text = chromium.wait_for_text("Vous avez accepté la désignation")
    assert "Acceptée" in text
    chromium.screenshot(screenshots / "08-designation-acceptee.png")


def test_without_a_certificate_the_browser_gets_a_french_page(browser, gateway, screenshots) -> None:  # noqa: ANN001
    chromium = browser(None)
    chromium.open(gateway.url("/"))
    text = chromium.text()
    assert "Certificat requis" in text and "{" not in text, text
    chromium.screenshot(screenshots / "06-sans-certificat.png")
