"""*Rechercher*, *Statistiques* and the degraded mode, in real headless Chromium through the real
gateway, against the real services (tests/browser/conftest.py). Screenshots go to var/screenshots/."""

from __future__ import annotations

import csv
import io
import random
import string
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from scelle_portal import labels
from scelle_portal.backends import Backends
from tests.e2e.harness import TlsClient


def naming(applicant: str) -> dict[str, Any]:
    return {"first_applicant": applicant, "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
            "rg_number": f"26/{random.randrange(100000):05d}", "expert_name": "Garnier",
            "designation_date": "14-11-2026"}


def unique_word() -> str:
    """A word no other test's data contains, so a search finds exactly what this test made."""
    return "Vernon" + "".join(random.choices(string.ascii_lowercase, k=8))


def raw(person: Any, base_url: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A service's answer as it is (Person.call wants a 2xx), with the person's principal token."""
    return requests.request(method, base_url + path, headers={**person.headers, **kwargs.pop("headers", {})},
                            timeout=10, **kwargs)


def folder_of(expert: Any, documents_url: str, expertise_id: str, path: str) -> dict[str, Any]:
    """The vault learns a new case from expertise's event: wait for its folders."""
    deadline = time.monotonic() + 20
    while True:
        response = raw(expert, documents_url, "GET", f"/v1/expertises/{expertise_id}/folders")
        if response.status_code == 200:
            folders = {folder["path"]: folder for folder in response.json()["folders"]}
            if path in folders:
                return folders[path]
        assert time.monotonic() < deadline, f"the vault never opened {path}: {response.status_code} {response.text}"
        time.sleep(0.2)


@pytest.fixture
def case_with_a_document(people, expertise_server, documents_server) -> dict[str, Any]:  # noqa: ANN001
    """An expertise of the expert named with a unique word, and a document named with it."""
    expert, word = people["expert"], unique_word()
    case = expert.call(expertise_server.url, "POST", "/v1/expertises", naming(word) | {
        "owner_email": "helene.garnier@experts-justice.test", "owner_given_name": "Hélène",
        "owner_surname": "Garnier"})
    folder = folder_of(expert, documents_server.url, case["id"], "expert/correspondance")
    response = raw(expert, documents_server.url, "POST", f"/v1/folders/{folder['id']}/documents",
                          params={"name": f"Courrier {word}.pdf"}, data=b"%PDF-1.7 courrier",
                          headers={"Content-Type": "application/pdf"})
    assert response.status_code == 201, response.text
    return {"word": word, "case": case, "folder": folder, "document": response.json()}


def test_one_query_finds_expertises_documents_and_intervenants(browser, gateway, case_with_a_document,  # noqa: ANN001
                                                               screenshots) -> None:
    word, case = case_with_a_document["word"], case_with_a_document["case"]
    chromium = browser("expert")
    chromium.open(gateway.url("/"))
    chromium.click("nav a[href='/recherche']")
    chromium.wait_for_text("Expertise, document ou intervenant")
    chromium.type("#q", word.lower())
    chromium.script("window.pageNotReloaded = true")
    chromium.click("form.search-form button[type=submit]")
    text = chromium.wait_for_text(f"Résultats pour « {word.lower()} »")
    # htmx swapped the results into the page (no reload) and kept the query in the address.
    assert chromium.script("return window.pageNotReloaded === true")
    assert chromium.url.endswith(f"/recherche?q={word.lower()}")
    assert "Expertises (1)" in text and case["display_name"] in text, text
    assert "Documents (1)" in text and f"Courrier {word}.pdf" in text and "Expert / Correspondance" in text, text
    assert "Intervenants (0)" in text and "Aucun intervenant ne correspond à votre recherche." in text, text
    assert "Service partiellement indisponible" not in text
    chromium.screenshot(screenshots / "10-recherche.png")

    chromium.click("#groupe-documents a")  # the document's folder, in its expertise
    text = chromium.wait_for_text(f"Courrier {word}.pdf")
    assert case["display_name"] in text

    chromium.open(gateway.url("/recherche?q=helene.garnier"))
    text = chromium.text()
    intervenants = text.split("Intervenants (", 1)[1]
    assert "Hélène GARNIER\tExpert\thelene.garnier@experts-justice.test" in intervenants, text

    chromium.open(gateway.url("/recherche?q=introuvablexyzzy"))
    text = chromium.text()
    for empty in ("Aucune expertise ne correspond à votre recherche.",
                  "Aucun document ne porte ce nom parmi ceux que vous pouvez consulter.",
                  "Aucun intervenant ne correspond à votre recherche."):
        assert empty in text, text


def test_statistics_chart_table_and_csv_export(browser, gateway, people, expertise_server, designation_server,  # noqa: ANN001
                                               screenshots) -> None:
    expert = people["expert"]
    fields = naming(unique_word())
    case = expert.call(expertise_server.url, "POST", "/v1/expertises", fields)
    figures = expert.call(expertise_server.url, "GET", "/v1/statistics/summary")

    chromium = browser("expert")
    chromium.open(gateway.url("/statistiques"))
    text = chromium.wait_for_text("Expertises par statut")
    in_creation = figures["by_status"]["en_creation"]
    assert f"En création\t{in_creation}" in text and f"Total\t{figures['total']}" in text, text
    chart = chromium.script(
        "const svg = document.querySelector('#titre-statuts ~ .chart-columns svg');"
        "return {role: svg.getAttribute('role'), title: svg.querySelector('title').textContent,"
        " desc: svg.querySelector('desc').textContent, bars: svg.querySelectorAll('rect').length,"
        " labelled: svg.getAttribute('aria-labelledby').split(' ').every(id => document.getElementById(id))};")
    assert chart == {"role": "img", "title": "Nombre d'expertises par statut",
                     "desc": f"En création : {in_creation} ; En cours : {figures['by_status']['en_cours']} ; "
                             f"En pause : {figures['by_status']['en_pause']} ; "
                             f"Terminée : {figures['by_status']['terminee']}.",
                     "bars": 4, "labelled": True}
    assert "Durées médianes" in text and "Désignation → en cours" in text
    assert "Vos désignations" not in text  # an expert designates nobody
    chromium.screenshot(screenshots / "11-statistiques.png")

    client = TlsClient(gateway.port, gateway.pki.server_ca, gateway.pki.cert("expert"))
    try:
        status, headers, body = client.request("GET", "/statistiques/expertises.csv")
    finally:
        client.close()
    assert status == 200, body
    assert headers["content-type"] == "text/csv; charset=utf-8"
    today = datetime.now(labels.PARIS).strftime("%Y-%m-%d")
    assert headers["content-disposition"] == f'attachment; filename="statistiques-expertises-{today}.csv"'
    assert body.startswith(b"\xef\xbb\xbf") and not body[3:].startswith(b"\xef\xbb\xbf")  # one BOM, for Excel
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Nom", "N° RG"] and "Statut" in rows[0]
    assert [case["display_name"], fields["rg_number"]] in [row[:2] for row in rows[1:]]
    assert len(rows) - 1 == figures["total"]  # one row per case the expert sees, this one included

    magistrat = browser("magistrat")
    magistrat.open(gateway.url("/statistiques"))
    sent = people["magistrat"].call(designation_server.url, "GET", "/v1/designations/statistics")
    text = magistrat.wait_for_text("Vos désignations")
    assert f"Envoyées\t{sent['sent']}" in text and f"En attente\t{sent['pending']}" in text, text
    assert "Délai médian de réponse de l'expert" in text


@pytest.fixture
def documents_and_billing_down(portal, portal_settings, dead_service_url) -> Iterator[None]:  # noqa: ANN001
    """The running portal calls a port where nothing listens for the vault and billing, then gets
    its real backends back."""
    real = portal.extensions["portal_backends"]
    portal.extensions["portal_backends"] = Backends(portal_settings.model_copy(
        update={"documents_url": dead_service_url, "billing_url": dead_service_url}))
    try:
        yield
    finally:
        portal.extensions["portal_backends"] = real


def test_the_portal_keeps_working_when_documents_and_billing_are_down(browser, gateway, case_with_a_document,  # noqa: ANN001
                                                                      documents_and_billing_down,
                                                                      screenshots) -> None:
    word, case = case_with_a_document["word"], case_with_a_document["case"]
    chromium = browser("expert")
    chromium.open(gateway.url("/"))
    text = chromium.text()
    assert "Liste des expertises (" in text and case["display_name"] in text, text

    chromium.open(gateway.url(f"/expertises/{case['id']}"))
    text = chromium.text()
    assert case["display_name"] in text and "En création" in text, text
    assert "Service partiellement indisponible" in text
    assert "Le coffre-fort des documents ne répond pas pour le moment." in text
    assert chromium.script("return document.querySelector('.alert-degraded').getAttribute('role')") == "status"
    chromium.screenshot(screenshots / "12-mode-degrade-expertise.png")

    chromium.click("a[href$='/cout']")  # *Suivi du coût*: billing's
    text = chromium.wait_for_text("Suivi du coût : Le service de facturation ne répond pas pour le moment.")
    assert case["display_name"] in text and "Service partiellement indisponible" in text, text

    chromium.open(gateway.url(f"/recherche?q={word.lower()}"))
    text = chromium.text()
    assert "Expertises (1)" in text and case["display_name"] in text, text
    assert "Documents : Le coffre-fort des documents ne répond pas pour le moment." in text
    assert "Service partiellement indisponible" in text
    chromium.screenshot(screenshots / "13-mode-degrade-recherche.png")
