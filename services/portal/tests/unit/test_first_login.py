"""First login, registration, association and CGU pages, with every service down: the portal
still answers French pages, checks the form itself and keeps what was typed."""

from __future__ import annotations

from typing import Any

import pytest

from scelle_common.testing.servers import free_port
from scelle_portal.config import Settings
from scelle_portal.entrypoints.flask_app import create_app
from scelle_portal.backends import ServiceRefused
from scelle_portal.registration import cgu_html, check_registration, field_errors, registration_body

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
TOKEN = "a" * 43


@pytest.fixture
def app(principal_signer) -> Any:  # noqa: ANN001
    dead = f"http://127.0.0.1:{free_port()}"
    settings = Settings(jwks=principal_signer.jwks, identity_url=dead, expertise_url=dead, documents_url=dead,
                        designation_url=dead, billing_url=dead, connect_timeout_seconds=0.5, log_level="WARNING")
    return create_app(settings)


def as_(signer: Any, profile: str, **extra: str) -> dict[str, str]:
    account = "cert:" + "0" * 64 if profile == "registrant" else "acc-1"
    return {"X-Scelle-Principal": signer.sign(account_id=account, profile=profile), **extra}


def test_a_registrant_anywhere_else_is_asked_whether_it_has_an_account(app, principal_signer) -> None:  # noqa: ANN001
    client = app.test_client()
    for path in ("/", "/compte", "/cgu", "/compte/ajouter-un-certificat"):
        response = client.get(path, headers=as_(principal_signer, "registrant"))
        body = response.get_data(as_text=True)
        assert response.status_code == 401 and response.mimetype == "text/html", path
        assert "Nouveau certificat reconnu" in body and "Disposez-vous d'un compte ?" in body
        assert 'href="/inscription"' in body and 'href="/inscription/association"' in body
        assert "Navigation principale" not in body  # no menu without an account


def test_the_registration_form_says_what_is_missing_in_french_and_keeps_the_input(app, principal_signer) -> None:  # noqa: ANN001
    client = app.test_client()
    page = client.get("/inscription", headers=as_(principal_signer, "registrant"))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Créer un compte" in body
    # identity is down: the CGU cannot be shown, the page says so and still renders the form.
    assert "Service partiellement indisponible" in body and "Le service des comptes ne répond pas" in body

    form = {"profile": "expert", "given_name": "Lucie", "surname": "", "email": "lucie.bernard",
            "phone_mobile": "06 12 AB", "street": "3 rue du Palais", "specialities": "", "cgu_version": "v1"}
    response = client.post("/inscription", data=form, headers=as_(principal_signer, "registrant", **SAME_ORIGIN))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Nom : à renseigner.", "Courriel : une adresse de la forme nom@domaine.fr.",
                    "Téléphone mobile : chiffres", "Code postal : obligatoire pour un expert.",
                    "Cour d&#39;appel : choisissez votre cour d&#39;appel.",
                    "Spécialités : cochez au moins une rubrique ou spécialité.",
                    "Conditions générales d&#39;utilisation : cochez la case pour les accepter."):
        assert message in body, message
    assert 'value="Lucie"' in body and 'value="3 rue du Palais"' in body and 'value="lucie.bernard"' in body
    assert 'id="profil-expert" checked' in body
    assert body.count('aria-invalid="true"') >= 5


def test_every_post_needs_the_same_origin(app, principal_signer) -> None:  # noqa: ANN001
    client = app.test_client()
    for path, profile in (("/inscription", "registrant"), (f"/inscription/association/{TOKEN}", "registrant"),
                          ("/compte/ajouter-un-certificat", "expert"), ("/compte/coordonnees", "expert"),
                          ("/compte/notifications", "greffier"), ("/cgu", "expert")):
        response = client.post(path, headers=as_(principal_signer, profile, **{"Sec-Fetch-Site": "cross-site"}))
        assert response.status_code == 403 and "Action refusée" in response.get_data(as_text=True), path


def test_an_account_on_the_registration_page_goes_to_its_workspace(app, principal_signer) -> None:  # noqa: ANN001
    response = app.test_client().get("/inscription", headers=as_(principal_signer, "magistrat"))
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_a_pasted_association_link_opens_the_portals_page(app, principal_signer) -> None:  # noqa: ANN001
    client = app.test_client()
    pasted = f"https://scelle.localhost:8443/api/identity/v1/association-links/{TOKEN}"
    response = client.get("/inscription/association", query_string={"lien": pasted},
                          headers=as_(principal_signer, "registrant"))
    assert response.status_code == 303 and response.headers["Location"] == f"/inscription/association/{TOKEN}"
    response = client.get("/inscription/association", query_string={"lien": "bonjour"},
                          headers=as_(principal_signer, "registrant"))
    assert response.status_code == 200
    assert "n&#39;est pas un lien d&#39;association Scellé" in response.get_data(as_text=True)
    # identity down: a French page, never a trace.
    response = client.get(f"/inscription/association/{TOKEN}", headers=as_(principal_signer, "registrant"))
    assert response.status_code == 503 and "Service momentanément indisponible" in response.get_data(as_text=True)


def test_the_cgu_page_with_identity_down_is_a_french_503(app, principal_signer) -> None:  # noqa: ANN001
    response = app.test_client().get("/cgu", headers=as_(principal_signer, "expert"))
    assert response.status_code == 503 and "Le service des comptes ne répond pas" in response.get_data(as_text=True)


def test_the_account_forms_with_identity_down(app, principal_signer) -> None:  # noqa: ANN001
    client = app.test_client()
    body = client.get("/compte/coordonnees", headers=as_(principal_signer, "expert")).get_data(as_text=True)
    assert "Vos coordonnées ne peuvent pas être lues pour le moment" in body
    response = client.post("/compte/ajouter-un-certificat", headers=as_(principal_signer, "expert", **SAME_ORIGIN))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Le service des comptes ne répond pas pour le moment." in body
    body = client.get("/compte/notifications", headers=as_(principal_signer, "greffier")).get_data(as_text=True)
    assert "Le service des notifications ne répond pas pour le moment." in body
    response = client.post("/compte/notifications", data={"party_activity": "non"},
                           headers=as_(principal_signer, "greffier", **SAME_ORIGIN))
    assert response.status_code == 200 and "Le service des notifications ne répond pas" in response.get_data(as_text=True)


def test_the_body_sent_to_identity_follows_the_profile() -> None:
    values = {"profile": "magistrat", "given_name": "Camille", "surname": "Rousseau", "email": "c@justice.test",
              "phone_fixed": "", "phone_mobile": "", "street": "x", "postal_code": "", "city": "", "country": "",
              "address_text": "TJ Bordeaux", "court_code": "paris", "national_list": "oui", "cgu_version": "v1",
              "specialities": ["E.1"], "cgu_accepted": True}
    assert check_registration(values) == {}
    assert registration_body(values) == {"profile": "magistrat", "email": "c@justice.test", "cgu_version": "v1",
                                         "phone_fixed": None, "phone_mobile": None, "given_name": "Camille",
                                         "surname": "Rousseau", "address_text": "TJ Bordeaux"}
    lawyer = registration_body(values | {"profile": "avocat"})
    assert "given_name" not in lawyer and "address_text" not in lawyer  # a lawyer's names are the certificate's
    assert check_registration(values | {"profile": "avocat", "given_name": "", "surname": ""}) == {}


def test_the_cgu_text_is_escaped_and_numbered() -> None:
    html = str(cgu_html("# Titre\n\n*Note* <script>x</script>\n\n1. **Un.** premier\n   suite\n2. Deux"))
    assert "Titre" not in html and "&lt;script&gt;" in html and "<script>" not in html
    assert html.endswith("<ol><li><strong>Un.</strong> premier suite</li><li>Deux</li></ol>")
    assert html.startswith("<p><em>Note</em>")


def test_identitys_refusals_land_under_the_forms_fields() -> None:
    refusal = ServiceRefused("identity", 422, {"title": "Données invalides", "errors": [
        {"pointer": "/profile", "detail": "ce certificat permet seulement : magistrat, greffier"},
        {"pointer": "/address", "detail": "rue, code postal et ville sont obligatoires pour un expert"},
        {"pointer": "/address/city", "detail": "32 caractères au plus"},
        {"pointer": "/specialities/1", "detail": "X.9 n'est pas une rubrique ou spécialité de la nomenclature"},
        {"pointer": "/cgu_version", "detail": "la version en vigueur des CGU est v2"},
        {"pointer": "/unknown", "detail": "ignored"}]})
    assert field_errors(refusal) == {
        "profile": "Profil : ce certificat permet seulement : magistrat, greffier.",
        "street": "Adresse (rue) : rue, code postal et ville sont obligatoires pour un expert.",
        "city": "Ville : 32 caractères au plus.",
        "specialities": "Spécialités : X.9 n'est pas une rubrique ou spécialité de la nomenclature.",
        "cgu": "Conditions générales d'utilisation : la version en vigueur des CGU est v2.",
    }
