"""The portal's pages (Flask test client), rendered from the real identity, expertise and designation
APIs: the portal's own HTTP client calls their real apps, served by werkzeug in threads (conftest).
They live beside the browser tests, which share these fixtures, because a service's own tests may
not import another service (tests/contract/test_import_boundaries.py). The demo accounts are shared
with the browser tests: counts are compared before and after, never assumed."""

from __future__ import annotations

import uuid
import re
from typing import Any

from scelle_portal.config import Settings
from scelle_portal.entrypoints.flask_app import create_app
from scelle_common.testing.servers import free_port


def naming(applicant: str, defender: str) -> dict[str, Any]:
    return {"first_applicant": applicant, "first_defender": defender, "jurisdiction": "TJ Paris",
            "rg_number": f"26/{uuid.uuid4().int % 100000:05d}", "record_number": None, "expert_name": "Garnier",
            "mi_number": None, "designation_date": "14-11-2026"}


def test_a_page_without_principal_is_a_french_html_page(portal) -> None:  # noqa: ANN001
    response = portal.test_client().get("/")
    assert response.status_code == 401
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Certificat requis" in body and "{" not in body.split("<body>")[1].split("<footer")[0]


def test_a_forged_principal_is_refused(portal) -> None:  # noqa: ANN001
    response = portal.test_client().get("/", headers={"X-Scelle-Principal": "not.a.token"})
    assert response.status_code == 401
    assert "Identité non reconnue" in response.get_data(as_text=True)


def test_operational_endpoints_are_public(portal) -> None:  # noqa: ANN001
    client = portal.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_expert_workspace_lists_expertises_with_status_filters(portal, people, expertise_server) -> None:  # noqa: ANN001
    expert = people["expert"]
    first = expert.call(expertise_server.url, "POST", "/v1/expertises", naming("Poitou", "Hartmann"))
    expert.call(expertise_server.url, "POST", "/v1/expertises", naming("Lemaire", "Bâtiments du Sud"))
    client = portal.test_client()

    status, body = expert.page(client, "/")
    assert status == 200, body
    assert "Hélène Garnier" in body  # the header: the caller's name from identity
    assert re.search(r"Liste des expertises \(\d+\)", body)
    assert first["display_name"] in body
    assert "LEMAIRE_BATIMENTS DU SUD" in body
    assert "En création" in body and "En attente de consignation" in body
    for label in ("En création", "En cours", "En pause", "Terminée"):
        assert f"> {label}</label>" in body
    assert "Désignations à confirmer (" in body

    status, body = expert.page(client, "/?statut=terminee")
    assert status == 200
    assert "Liste des expertises (0)" in body
    assert "Aucune expertise avec ces statuts." in body


def test_designations_awaiting_an_answer(portal, people, designation_server, deposit_designation_file) -> None:  # noqa: ANN001
    magistrat, expert = people["magistrat"], people["expert"]
    before_magistrat = count(magistrat.page(portal.test_client(), "/")[1], "En attente")
    before_expert = count(expert.page(portal.test_client(), "/")[1], "Désignations à confirmer")
    card = {"account_id": expert.account_id, "given_name": "Hélène", "surname": "Garnier",
            "email": "helene.garnier@experts-justice.test", "court_code": "paris", "national_list": False,
            "specialities": []}
    draft = magistrat.call(designation_server.url, "POST", "/v1/designations",
                           {"expert": card, "designator": {"given_name": "Camille", "surname": "Rousseau",
                                                           "email": "camille.rousseau@justice.test"}})
    deposit_designation_file(draft["id"])
    magistrat.call(designation_server.url, "POST", f"/v1/designations/{draft['id']}/sending")
    client = portal.test_client()
    status, body = magistrat.page(client, "/")
    assert status == 200, body
    assert count(body, "En attente") == before_magistrat + 1
    assert "GARNIER Hélène" in body
    assert "Relance possible" in body and "Retrait possible après une relance" in body
    assert "Désigner un expert" in body

    status, body = magistrat.page(client, "/designations")
    assert status == 200 and count(body, "Désignations en attente") == before_magistrat + 1

    magistrat.call(designation_server.url, "POST", "/v1/designations", {"expert": card})
    status, body = magistrat.page(client, "/designations?etat=brouillon&etat=en_attente")
    assert status == 200, body
    assert count(body, "Désignations") >= before_magistrat + 2 and "Brouillon" in body and "En attente" in body

    status, body = expert.page(client, "/")
    assert count(body, "Désignations à confirmer") == before_expert + 1
    assert "Désignation de Camille ROUSSEAU" in body

    status, body = magistrat.page(client, f"/designations/{draft['id']}")
    assert status == 200, body
    assert "Ordonnance.pdf" in body and "Documents de désignation (1)" in body
    assert f'href="/designations/{draft["id"]}/relance">Relancer l' in body  # possible now
    assert "possible seulement après une relance restée sans réponse 24 heures." in body  # Retirer: not yet
    status, body = expert.page(client, f"/designations/{draft['id']}")
    assert status == 200 and "Ordonnance.pdf" in body and "Actions" not in body

    # Relancer l'expert: a confirmation page, then a POST that must come from the portal's pages.
    status, body = magistrat.page(client, f"/designations/{draft['id']}/relance")
    assert status == 200 and "Relancer l&#39;expert ?" in body or "Relancer l'expert ?" in body, body
    path = f"/designations/{draft['id']}/relance"
    refused = client.post(path, headers=magistrat.headers)
    assert refused.status_code == 403 and "Action refusée" in refused.get_data(as_text=True)
    refused = client.post(path, headers=magistrat.headers | {"Origin": "https://evil.example"})
    assert refused.status_code == 403
    refused = client.post(path, headers=magistrat.headers | {"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    done = client.post(path, headers=magistrat.headers | {"Origin": "http://localhost"})
    assert done.status_code == 303, done.get_data(as_text=True)
    status, body = magistrat.page(client, done.headers["Location"])
    assert "La relance a été envoyée à l&#39;expert." in body or "La relance a été envoyée à l'expert." in body
    assert "Relances</dt><dd>1, la dernière le" in body
    assert "possible à partir du" in body  # neither a second reminder nor the withdrawal before 24 h

    # Retirer too early: the designation service refuses, the page says why in French.
    refused = client.post(f"/designations/{draft['id']}/retrait",
                          headers=magistrat.headers | {"Sec-Fetch-Site": "same-origin"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'class="alert alert-error"' in body, body
    assert "{" not in body.split('class="alert alert-error" role="alert">')[1].split("</p>")[0]
    status, body = people["greffier"].page(client, f"/designations/{draft['id']}")
    assert status == 404 and "Page introuvable" in body


def count(body: str, heading: str) -> int:
    match = re.search(re.escape(heading) + r" \((\d+)\)", body)
    assert match, f"no « {heading} (n) » in the page"
    return int(match.group(1))


def test_account_page_shows_details_and_certificates(portal, people) -> None:  # noqa: ANN001
    status, body = people["expert"].page(portal.test_client(), "/compte")
    assert status == 200, body
    assert "helene.garnier@experts-justice.test" in body
    assert "Vos certificats (1)" in body
    assert "Valide" in body
    assert "Cour d&#39;appel" in body or "Cour d'appel" in body


def test_directory_search_finds_the_expert_as_a_card(portal, people) -> None:  # noqa: ANN001
    client = portal.test_client()
    status, body = people["magistrat"].page(client, "/annuaire")
    assert status == 200, body
    assert "Choix de l'expert" in body and "Lancer la recherche" in body
    assert "Paris" in body  # the cours d'appel come from identity

    status, body = people["magistrat"].page(client, "/annuaire?recherche=1&nom=garn")
    assert status == 200, body
    assert count(body, "Résultats") == 1
    assert "<mark>GARNIER</mark> Hélène" in body

    status, body = people["magistrat"].page(client, "/annuaire?recherche=1&nom=zzzz")
    assert "Aucun expert ne correspond" in body


def test_expertise_view_degrades_when_the_vault_is_down(portal_settings, dead_service_url, people,  # noqa: ANN001
                                                       expertise_server) -> None:
    expert = people["expert"]
    case = expert.call(expertise_server.url, "POST", "/v1/expertises", naming("Vidal", "Garage Central"))
    portal = create_app(portal_settings.model_copy(update={"documents_url": dead_service_url}))
    status, body = expert.page(portal.test_client(), f"/expertises/{case['id']}")
    assert status == 200, body
    assert case["display_name"] in body
    assert "Service partiellement indisponible" in body
    assert "Le coffre-fort des documents ne répond pas pour le moment." in body


def test_unknown_expertise_is_a_french_404(portal, people) -> None:  # noqa: ANN001
    response = portal.test_client().get(f"/expertises/{uuid.uuid4()}", headers=people["expert"].headers)
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_workspace_still_renders_when_expertise_and_designation_are_down(portal_settings, people) -> None:  # noqa: ANN001
    dead = f"http://127.0.0.1:{free_port()}"
    settings = Settings.model_validate(portal_settings.model_dump() | {"expertise_url": dead, "designation_url": dead})
    app = create_app(settings)
    status, body = people["magistrat"].page(app.test_client(), "/")
    assert status == 200, body
    assert "Camille Rousseau" in body  # identity still answers
    assert "Service partiellement indisponible" in body
    assert "Le service des expertises ne répond pas pour le moment." in body
    assert "Le service des désignations ne répond pas pour le moment." in body


def test_the_expert_accepts_a_designation(portal, people, designation_server, deposit_designation_file) -> None:  # noqa: ANN001
    magistrat, expert = people["magistrat"], people["expert"]
    card = {"account_id": expert.account_id, "given_name": "Hélène", "surname": "Garnier",
            "email": "helene.garnier@experts-justice.test", "court_code": "paris", "national_list": False,
            "specialities": []}
    draft = magistrat.call(designation_server.url, "POST", "/v1/designations", {"expert": card})
    deposit_designation_file(draft["id"])
    magistrat.call(designation_server.url, "POST", f"/v1/designations/{draft['id']}/sending")
    client = portal.test_client()
    path = f"/designations/{draft['id']}/reponse"
    same_origin = expert.headers | {"Sec-Fetch-Site": "same-origin"}

    status, body = expert.page(client, f"/designations/{draft['id']}")
    assert status == 200 and f'href="{path}"' in body
    status, body = expert.page(client, path)
    assert status == 200 and 'for="first_applicant">Premier demandeur' in body
    assert 'name="expert_name" value="Garnier"' in body
    assert magistrat.page(client, path)[0] == 404

    response = client.post(path, headers=same_origin, data={"first_applicant": "Poitou", "designation_date": "31-02-2026"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Premier défendeur : à renseigner." in body and "Juridiction : à renseigner." in body
    assert "Date de désignation : une date réelle au format jj-mm-aaaa." in body
    assert 'value="Poitou"' in body  # what was typed is kept

    form = {"first_applicant": "Poitou", "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
            "rg_number": f"26/{uuid.uuid4().int % 100000:05d}", "expert_name": "Garnier",
            "designation_date": "14-11-2026", "mission": "Décrire les désordres."}
    assert client.post(path, headers=expert.headers | {"Sec-Fetch-Site": "cross-site"}, data=form).status_code == 403
    response = client.post(path, headers=same_origin, data=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    status, body = expert.page(client, response.headers["Location"])
    assert "Vous avez accepté la désignation" in body and "Acceptée" in body
