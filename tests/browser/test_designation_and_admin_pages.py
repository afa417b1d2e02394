"""Designation step 02, the expert's *Refuser*, the owner expert's *Administration* and the
workspace's *Rejetée* filter, through the portal (Flask test client) against the real services
of the browser platform (conftest): designation, documents on S3 and expertise, with their
consumers and relays on the session bus, so the vault opens a draft's dossier and the designation
counts the files deposited there, as in ``./scelle up``."""

from __future__ import annotations

import re
import uuid
from io import BytesIO
from typing import Any

from scelle_common.testing.waiting import eventually

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
GARNIER = {"given_name": "Hélène", "surname": "Garnier", "email": "helene.garnier@experts-justice.test",
           "court_code": "paris", "national_list": "0"}


def post(client: Any, person: Any, path: str, data: Any = None, **kwargs: Any) -> Any:
    return client.post(path, data=data, headers=person.headers | SAME_ORIGIN, **kwargs)


def text_of(response: Any) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def open_draft(client: Any, magistrat: Any, expert: Any) -> str:
    """Step 01 → 02 as the directory card does it; the draft's id."""
    response = post(client, magistrat, "/designations/nouvelle",
                    {"account_id": expert.account_id, "cle": uuid.uuid4().hex, **GARNIER})
    assert response.status_code == 303, text_of(response)
    match = re.fullmatch(r"/designations/([^/]+)/documents", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def dossier_ready(client: Any, person: Any, path: str) -> str | None:
    body = person.page(client, path)[1].replace("&#39;", "'")
    return None if "en cours d'ouverture" in body else body


def test_designate_with_two_files_remove_one_and_send(portal, people, event_flow) -> None:  # noqa: ANN001
    magistrat, expert = people["magistrat"], people["expert"]
    client = portal.test_client()

    refused = client.post("/designations/nouvelle", data={"account_id": expert.account_id},
                          headers=magistrat.headers | {"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403 and "Action refusée" in text_of(refused)
    assert post(client, expert, "/designations/nouvelle", {"account_id": expert.account_id}).status_code == 404

    draft = open_draft(client, magistrat, expert)
    page = f"/designations/{draft}/documents"
    body = eventually(lambda: dossier_ready(client, magistrat, page), what="the vault opens the dossier")
    assert "Sélection des documents de désignation" in body and "GARNIER Hélène" in body
    assert "Aucun fichier déposé pour l'instant." in body
    assert 'aria-disabled="true">Envoyer</span>' in body  # nothing to send yet

    response = post(client, magistrat, f"/designations/{draft}/depot/demande", {"fichiers": []})
    assert response.status_code == 422 and "Choisissez au moins un fichier à déposer." in text_of(response)

    files = {"cle": "k1", "fichiers": [(BytesIO(b"%PDF-1.7 ordonnance de designation"), "Ordonnance.pdf"),
                                        (BytesIO(b"%PDF-1.7 piece jointe"), "Jugement avant dire droit.pdf"),
                                        (BytesIO(b"%PDF-1.7 erreur"), "Mauvais fichier.pdf")]}
    response = post(client, magistrat, f"/designations/{draft}/depot/demande", files,
                    content_type="multipart/form-data")
    assert response.status_code == 303, text_of(response)
    body = text_of(client.get(response.headers["Location"], headers=magistrat.headers))
    assert "3 fichiers déposés dans le coffre-fort." in body
    assert "Demande participation à une expertise (3)" in body and "Jugement avant dire droit.pdf" in body

    wrong = re.search(r'href="(/designations/[^"]+/documents/([^/"]+)/retrait\?partie=demande)">Retirer'
                      r'<span class="visually-hidden"> Mauvais fichier.pdf', body)
    assert wrong, body
    confirmation = text_of(client.get(wrong.group(1), headers=magistrat.headers))
    assert "Retirer « Mauvais fichier.pdf » ?" in confirmation
    response = post(client, magistrat, wrong.group(1))
    assert response.status_code == 303
    body = text_of(client.get(response.headers["Location"], headers=magistrat.headers))
    assert "Le fichier a été retiré" in body and "<s>Mauvais fichier.pdf</s>" in body
    assert "Demande participation à une expertise (2)" in body

    confirmation = text_of(client.get(f"/designations/{draft}/envoi", headers=magistrat.headers))
    assert "Envoyer la désignation ?" in confirmation and "Fichiers transmis (2)" in confirmation
    assert "Mauvais fichier.pdf" not in confirmation

    def sent() -> Any:
        response = post(client, magistrat, f"/designations/{draft}/envoi")
        return response if response.status_code == 303 else None  # until designation has heard of the files

    response = eventually(sent, what="the designation counts the vault's files and is sent")
    body = text_of(client.get(response.headers["Location"], headers=magistrat.headers))
    assert "La désignation a été envoyée à l'expert" in body and "En attente" in body
    assert "Documents de désignation (2)" in body

    expert_page = text_of(client.get(f"/designations/{draft}", headers=expert.headers))
    assert "Refuser la désignation" in expert_page


def test_the_expert_refuses_with_a_justification_and_a_file(portal, people, event_flow) -> None:  # noqa: ANN001
    magistrat, expert = people["magistrat"], people["expert"]
    client = portal.test_client()
    draft = open_draft(client, magistrat, expert)
    eventually(lambda: dossier_ready(client, magistrat, f"/designations/{draft}/documents"), what="dossier")
    post(client, magistrat, f"/designations/{draft}/depot/demande",
         {"cle": "k", "fichiers": [(BytesIO(b"%PDF-1.7 ordonnance"), "Ordonnance.pdf")]},
         content_type="multipart/form-data")
    eventually(lambda: post(client, magistrat, f"/designations/{draft}/envoi").status_code == 303, what="sent")

    assert client.get(f"/designations/{draft}/refus", headers=magistrat.headers).status_code == 404
    page = f"/designations/{draft}/refus"
    body = eventually(lambda: dossier_ready(client, expert, page), what="the expert's answer folder")
    assert "Refuser la désignation" in body and "Fichiers joints au refus (0)" in body
    assert "Désignation de Camille ROUSSEAU, reçue le" in body  # the names the directory card's page sent

    response = post(client, expert, page, {"justification": ""})
    assert response.status_code == 422 and "Justification : à renseigner." in text_of(response)

    # Without a file the designation service refuses, and says so in French.
    response = post(client, expert, page, {"justification": "Conflit d'intérêts", "confirme": "1"})
    body = text_of(response)
    assert response.status_code == 422 and 'class="alert alert-error"' in body, body
    assert "{" not in body.split('class="alert alert-error" role="alert">')[1].split("</p>")[0]

    response = post(client, expert, f"/designations/{draft}/depot/reponse",
                    {"cle": "r", "fichiers": [(BytesIO(b"%PDF-1.7 lettre"), "Lettre de refus.pdf")]},
                    content_type="multipart/form-data")
    assert response.status_code == 303, text_of(response)
    response = post(client, expert, page, {"justification": "Conflit d'intérêts avec le défendeur"})
    body = text_of(response)
    assert response.status_code == 200 and "Refuser la désignation ?" in body and "Lettre de refus.pdf" in body

    def refused() -> Any:
        response = post(client, expert, page, {"justification": "Conflit d'intérêts avec le défendeur",
                                               "confirme": "1"})
        return response if response.status_code == 303 else None

    response = eventually(refused, what="the designation counts the answer's file and records the refusal")
    body = text_of(client.get(response.headers["Location"], headers=expert.headers))
    assert "Vous avez refusé la désignation" in body and "Rejetée" in body
    body = text_of(client.get(f"/designations/{draft}", headers=magistrat.headers))
    assert "Conflit d'intérêts avec le défendeur" in body
    assert "Documents joints à la réponse (1)" in body and "Lettre de refus.pdf" in body

    # The magistrat's workspace: Rejetée is the fifth filter, its rows come from the designations.
    body = text_of(client.get("/?statut=rejetee", headers=magistrat.headers))
    assert f'href="/designations/{draft}">Désignation de GARNIER Hélène' in body, body
    assert "Liste des expertises (0)" in body  # only Rejetée chosen: no case at all
    body = text_of(client.get("/", headers=magistrat.headers))
    assert f'href="/designations/{draft}"' not in body.split('id="titre-expertises"')[1]
    assert "Toutes les expertises" in body and "Toutes les désignations" in body


def test_owner_expert_administers_the_case(portal, people, accounts, expertise_server) -> None:  # noqa: ANN001
    expert, magistrat = people["expert"], people["magistrat"]
    client = portal.test_client()
    case = expert.call(expertise_server.url, "POST", "/v1/expertises", {
        "first_applicant": "Tilleuls", "first_defender": "Batisud", "jurisdiction": "TJ Paris",
        "rg_number": f"26/{uuid.uuid4().int % 100000:05d}", "expert_name": "Garnier",
        "designation_date": "14-11-2026"})
    admin = f"/expertises/{case['id']}/administration"

    body = text_of(client.get(admin, headers=expert.headers))
    assert "Statut actuel" in body and "En création" in body and "Aucune partie pour l'instant." in body
    assert f'href="{admin}" aria-current="page">Administration</a>' in body  # the case's tabs, this one current
    assert f'href="{admin}/statut/en_cours"' in body and f'href="{admin}/statut/terminee"' not in body

    # A party, then its avocat (an account) and a member invited by e-mail.
    response = post(client, expert, f"{admin}/parties", {"name": "", "kind": "demandeur", "representation": "avocat"})
    assert response.status_code == 422 and "Nom de la partie : à renseigner" in text_of(response)
    response = post(client, expert, f"{admin}/parties",
                    {"name": "SCI Les Tilleuls", "kind": "demandeur", "representation": "avocat"})
    assert response.status_code == 303
    body = text_of(client.get(response.headers["Location"], headers=expert.headers))
    assert "La partie a été ajoutée." in body and "SCI Les Tilleuls" in body and "Représentée par un avocat" in body
    party_id = re.search(r'name="party_ids" value="([^"]+)">\s*<input type="hidden" name="depuis_partie"', body).group(1)
    response = post(client, expert, f"{admin}/intervenants", {
        "role": "avocat", "party_ids": party_id, "depuis_partie": "1",
        "account_id": accounts["sophie.lambert@avocats-paris.test"], "given_name": "Sophie", "surname": "Lambert",
        "email": "sophie.lambert@avocats-paris.test"})
    assert response.status_code == 303, text_of(response)
    response = post(client, expert, f"{admin}/invitations", {
        "role": "partie_lectrice", "party_ids": party_id, "depuis_partie": "1", "given_name": "Paul",
        "surname": "Tilleul", "email": f"paul.{uuid.uuid4().hex[:6]}@exemple.test"})
    assert response.status_code == 303, text_of(response)
    body = text_of(client.get(admin, headers=expert.headers))
    assert "Avocat : Sophie Lambert" in body or "Avocat : Sophie LAMBERT" in body, body
    assert "Membres : Paul" in body and "(invitation envoyée)" in body

    # A co-expert chosen in the directory, as a designation's expert is.
    body = text_of(client.get(f"{admin}?expert=lefeb", headers=expert.headers))
    assert "LEFEBVRE Marc" in body and "Ajouter comme co-expert" in body, body
    response = post(client, expert, f"{admin}/intervenants", {
        "account_id": accounts["marc.lefebvre@experts-justice.test"], "role": "co_expert", "given_name": "Marc",
        "surname": "Lefebvre", "email": "marc.lefebvre@experts-justice.test"})
    assert response.status_code == 303, text_of(response)
    body = text_of(client.get(f"{admin}?expert=lefeb", headers=expert.headers))
    assert "Co-expert" in body and "Participe déjà à l'expertise." in body

    response = post(client, expert, f"{admin}/consignation", {"consignation_date": "2026-11-20"})
    assert response.status_code == 303
    assert "Consignation le 20 novembre 2026." in text_of(client.get(admin, headers=expert.headers))

    # Status: a confirmation page saying what the change does, then the change.
    body = text_of(client.get(f"{admin}/statut/en_cours", headers=expert.headers))
    assert "Passer l'expertise « En cours » ?" in body and "facturation commence" in body
    assert client.post(f"{admin}/statut/en_cours", headers=expert.headers | {"Sec-Fetch-Site": "cross-site"}
                       ).status_code == 403
    response = post(client, expert, f"{admin}/statut/en_cours", {"motif": ""})
    assert response.status_code == 303
    body = text_of(client.get(response.headers["Location"], headers=expert.headers))
    assert "Le statut de l'expertise a été changé." in body and "En cours" in body
    assert f'href="{admin}/statut/en_pause"' in body and f'href="{admin}/statut/terminee"' in body

    # A move the service does not allow: its French reason, no JSON.
    response = post(client, expert, f"{admin}/statut/en_creation")
    assert response.status_code == 422 and "{" not in text_of(response).split("<main")[1].split("</main>")[0]

    # Finished, then reopened: the reason is required, and said so before the service is asked.
    assert post(client, expert, f"{admin}/statut/terminee").status_code == 303
    response = post(client, expert, f"{admin}/statut/en_cours", {"motif": ""})
    assert response.status_code == 422 and "Motif : à renseigner pour rouvrir" in text_of(response)
    response = post(client, expert, f"{admin}/statut/en_cours", {"motif": "Complément de mission (art. 245)"})
    assert response.status_code == 303
    assert "Complément de mission (art. 245)" in text_of(client.get(admin, headers=expert.headers))

    # The co-expert: deactivated, then removed after a confirmation page with a reason.
    co_expert = next(p for p in expert.call(expertise_server.url, "GET", f"/v1/expertises/{case['id']}")["participants"]
                     if p["role"] == "co_expert")
    access, removal = f"{admin}/intervenants/{co_expert['id']}/activite", f"{admin}/intervenants/{co_expert['id']}/retrait"
    assert f'action="{access}"' in text_of(client.get(admin, headers=expert.headers))
    assert post(client, expert, access, {"actif": "0"}).status_code == 303
    body = text_of(client.get(admin, headers=expert.headers))
    assert "Inactif" in body and "Réactiver" in body and f'href="{removal}"' in body
    assert "de l'expertise ?" in text_of(client.get(removal, headers=expert.headers))
    assert post(client, expert, removal, {"motif": "Mission terminée"}).status_code == 303
    body = text_of(client.get(admin + "?fait=retrait", headers=expert.headers))
    assert "L'intervenant a été retiré de l'expertise." in body
    assert "LEFEBVRE" not in body.split('id="titre-intervenants"')[1].split("<h3")[0]

    # Only the owner expert administers; the others do not see the page.
    assert client.get(admin, headers=magistrat.headers).status_code == 404
