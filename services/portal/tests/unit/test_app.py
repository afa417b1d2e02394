"""The portal alone, every service it calls down: it still answers French HTML pages."""

from __future__ import annotations

from typing import Any

import pytest

from scelle_common.testing.servers import free_port
from scelle_portal.config import Settings
from scelle_portal.entrypoints.flask_app import create_app


@pytest.fixture
def app(principal_signer) -> Any:  # noqa: ANN001
    dead = f"http://127.0.0.1:{free_port()}"
    settings = Settings(jwks=principal_signer.jwks, identity_url=dead, expertise_url=dead, documents_url=dead,
                        designation_url=dead, billing_url=dead, connect_timeout_seconds=0.5, log_level="WARNING")
    return create_app(settings)


def headers(signer: Any, profile: str = "magistrat") -> dict[str, str]:
    return {"X-Scelle-Principal": signer.sign(account_id="acc-1", profile=profile)}


def test_every_service_down_still_gives_a_page(app, principal_signer) -> None:  # noqa: ANN001
    response = app.test_client().get("/", headers=headers(principal_signer))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html", body
    assert "Service partiellement indisponible" in body
    for message in ("Le service des comptes ne répond pas", "Le service des expertises ne répond pas",
                    "Le service des désignations ne répond pas"):
        assert message in body
    assert "Liste des expertises (0)" in body and "En attente (0)" in body
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_an_expertise_page_with_its_service_down_says_so(app, principal_signer) -> None:  # noqa: ANN001
    response = app.test_client().get("/expertises/e-1", headers=headers(principal_signer, "expert"))
    assert response.status_code == 200
    assert "Le service des expertises ne répond pas pour le moment." in response.get_data(as_text=True)


def test_registrant_and_missing_tokens_get_french_pages(app, principal_signer) -> None:  # noqa: ANN001
    client = app.test_client()
    response = client.get("/compte")
    assert response.status_code == 401 and "Certificat requis" in response.get_data(as_text=True)
    response = client.get("/", headers=headers(principal_signer, "registrant"))
    assert response.status_code == 401 and "Nouveau certificat reconnu" in response.get_data(as_text=True)


def test_unknown_page_and_directory_for_a_party_are_french_404s(app, principal_signer) -> None:  # noqa: ANN001
    client = app.test_client()
    for path, profile in (("/nulle-part", "magistrat"), ("/annuaire", "partie"), ("/designations", "avocat")):
        response = client.get(path, headers=headers(principal_signer, profile))
        assert response.status_code == 404, path
        assert "Page introuvable" in response.get_data(as_text=True)


def test_operational_endpoints_need_no_principal(app) -> None:  # noqa: ANN001
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "service": "portal"}
    assert client.get("/readyz").status_code == 200
