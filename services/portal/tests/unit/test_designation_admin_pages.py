"""Designation step 02, *Refuser* and *Administration* with every service down: French pages,
no state-changing request from another site, each page only for the profiles it serves, and
files accepted beyond the page body limit only where files are deposited. (The same pages
against the real services: tests/browser/test_designation_and_admin_pages.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from scelle_common.testing.servers import free_port
from scelle_portal.config import Settings
from scelle_portal.entrypoints.flask_app import create_app

CROSS_SITE = {"Sec-Fetch-Site": "cross-site"}
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def app(principal_signer) -> Any:  # noqa: ANN001
    dead = f"http://127.0.0.1:{free_port()}"
    settings = Settings(jwks=principal_signer.jwks, identity_url=dead, expertise_url=dead, documents_url=dead,
                        designation_url=dead, billing_url=dead, connect_timeout_seconds=0.5, log_level="WARNING",
                        max_request_bytes=64 * 1024, max_upload_bytes=4 * 1024 * 1024)
    return create_app(settings)


def headers(signer: Any, profile: str) -> dict[str, str]:
    return {"X-Scelle-Principal": signer.sign(account_id="acc-1", profile=profile)}


@pytest.mark.parametrize(("path", "profile"), [
    ("/designations/nouvelle", "magistrat"),
    ("/designations/d-1/depot/demande", "greffier"),
    ("/designations/d-1/envoi", "magistrat"),
    ("/designations/d-1/documents/doc-1/retrait", "magistrat"),
    ("/designations/d-1/refus", "expert"),
    ("/expertises/e-1/administration/statut/en_cours", "expert"),
    ("/expertises/e-1/administration/consignation", "expert"),
    ("/expertises/e-1/administration/parties", "expert"),
    ("/expertises/e-1/administration/intervenants", "expert"),
    ("/expertises/e-1/administration/invitations", "expert"),
    ("/expertises/e-1/administration/intervenants/p-1/activite", "expert"),
    ("/expertises/e-1/administration/intervenants/p-1/retrait", "expert"),
])
def test_a_change_from_another_site_is_refused(app, principal_signer, path, profile) -> None:  # noqa: ANN001
    response = app.test_client().post(path, data={"justification": "x"},
                                      headers=headers(principal_signer, profile) | CROSS_SITE)
    assert response.status_code == 403, path
    assert "Action refusée" in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "profile"), [
    ("POST", "/designations/nouvelle", "expert"),
    ("GET", "/designations/d-1/documents", "expert"),
    ("GET", "/designations/d-1/envoi", "avocat"),
    ("GET", "/designations/d-1/refus", "magistrat"),
    ("POST", "/designations/d-1/depot/ailleurs", "magistrat"),
    ("GET", "/expertises/e-1/administration/statut/rejetee", "expert"),
])
def test_pages_answer_only_the_profiles_they_serve(app, principal_signer, method, path, profile) -> None:  # noqa: ANN001
    response = app.test_client().open(path, method=method, headers=headers(principal_signer, profile) | SAME_ORIGIN)
    assert response.status_code == 404, path
    assert "Page introuvable" in response.get_data(as_text=True)


def test_step_02_and_administration_say_in_french_that_a_service_is_down(app, principal_signer) -> None:  # noqa: ANN001
    client = app.test_client()
    response = client.get("/designations/d-1/documents", headers=headers(principal_signer, "magistrat"))
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "Le service des désignations ne répond pas pour le moment." in body
    response = client.get("/expertises/e-1/administration", headers=headers(principal_signer, "expert"))
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "Le service des expertises ne répond pas pour le moment." in body
    assert "{" not in body.split("<main")[1]


def test_the_rejetee_filter_reads_the_designations_and_says_when_they_are_missing(app, principal_signer) -> None:  # noqa: ANN001
    body = app.test_client().get("/?statut=rejetee", headers=headers(principal_signer, "greffier")).get_data(as_text=True)
    assert "Désignations rejetées : Le service des désignations ne répond pas" in body
    assert 'value="rejetee" checked' in body
    # Only Rejetée chosen: no expertise is asked for (the service would read no status as « all but Terminée »).
    assert "Liste des expertises : " not in body
    body = app.test_client().get("/?statut=rejetee", headers=headers(principal_signer, "expert")).get_data(as_text=True)
    assert 'value="rejetee"' not in body  # experts have no list of refused designations


def test_only_the_deposit_address_takes_bodies_beyond_the_page_limit(app, principal_signer) -> None:  # noqa: ANN001
    from io import BytesIO

    client = app.test_client()
    big = b"%PDF-1.7 " + b"x" * (256 * 1024)
    response = client.post("/designations/d-1/refus", data={"fichiers": (BytesIO(big), "Ordonnance.pdf")},
                           headers=headers(principal_signer, "expert") | SAME_ORIGIN)
    assert response.status_code == 413 and "Fichier trop volumineux" in response.get_data(as_text=True)
    response = client.post("/designations/d-1/depot/demande", data={"fichiers": (BytesIO(big), "Ordonnance.pdf")},
                           headers=headers(principal_signer, "magistrat") | SAME_ORIGIN)
    # Past the size check, the page says the vault does not answer (every service is down here).
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body
    assert "ne répond pas pour le moment" in body
