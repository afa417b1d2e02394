"""The expertise page, documents side (Flask test client), on the real expertise, documents (S3),
billing and designation apps with their events flowing on the session's bus (conftest): folder
tree with New counts, deposits with the dépôt définitif warning, the vault's refusals in French,
ZIP download streamed from the vault, sharing, contradictoire, Suivi du coût, and the page when
billing is down."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from scelle_portal.entrypoints.flask_app import create_app
from tests.browser.cases import eventually, open_case

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
MAGISTRAT_VERS_EXPERT = "magistrat/magistrat-vers-expert"


@pytest.fixture(scope="module")
def case(people, designation_server, documents_server, expertise_server) -> dict[str, Any]:  # noqa: ANN001
    return open_case(people, designation_server.url, documents_server.url, expertise_server.url, defender="Lagarde")


def deposit(client: Any, person: Any, case: dict[str, Any], folder: str, name: str, content: bytes) -> Any:
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart({"cle": "", "confirmation": "1",
                                       "fichiers": FileStorage(io.BytesIO(content), filename=name)})
    return client.post(f"/expertises/{case['id']}/depot?dossier={folder}", headers=person.headers | SAME_ORIGIN,
                       data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_magistrat_deposits_in_magistrat_vers_expert_after_the_final_deposit_warning(portal, people, case):  # noqa: ANN001
    magistrat, client = people["magistrat"], portal.test_client()
    status, body = magistrat.page(client, f"/expertises/{case['id']}")
    assert status == 200, body
    # The tree: groups, then their folders, each a link by its stable id.
    assert '<span class="folder-group">Magistrat</span>' in body
    assert f'?dossier={MAGISTRAT_VERS_EXPERT}"' in body
    assert "Choisissez un dossier" in body

    status, body = magistrat.page(client, f"/expertises/{case['id']}?dossier={MAGISTRAT_VERS_EXPERT}")
    assert "<h2 id=\"titre-documents\">Magistrat / Magistrat → Expert</h2>" in body
    assert "Dépôt définitif." in body and "il n'est plus" in body and "possible de le supprimer" in body
    assert re.search(r'<input type="checkbox" id="confirmation" name="confirmation" value="1" required>', body)

    response = deposit(client, magistrat, case, MAGISTRAT_VERS_EXPERT, "Note au technicien.pdf", b"%PDF-1.7 note")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"?dossier={MAGISTRAT_VERS_EXPERT}&deposes=1")
    status, body = magistrat.page(client, response.headers["Location"])
    assert "1 document déposé dans « Magistrat / Magistrat → Expert »" in body
    row = body.split("Note au technicien.pdf</a>")[1].split("</tr>")[0]
    assert "Vous" in row and "(Magistrat)" in row and "13 octets" in row
    assert re.search(r'href="/api/documents/v1/documents/[0-9a-f-]+/receipt" download>Accusé de dépôt', row)
    assert re.search(r'href="/api/documents/v1/documents/[0-9a-f-]+/content" download[^>]*>Note au technicien.pdf',
                     body)


def test_a_deposit_the_vault_refuses_is_shown_in_french(portal, people, case) -> None:  # noqa: ANN001
    expert, client = people["expert"], portal.test_client()
    status, body = expert.page(client, f"/expertises/{case['id']}?dossier={MAGISTRAT_VERS_EXPERT}")
    assert status == 200 and "Déposer dans ce dossier" not in body  # the vault: read only for the expert
    response = deposit(client, expert, case, MAGISTRAT_VERS_EXPERT, "Intrus.pdf", b"%PDF-1.7 intrus")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "« Intrus.pdf » : " in body and "application/problem+json" not in body and '"type"' not in body
    cross_site = client.post(f"/expertises/{case['id']}/depot?dossier={MAGISTRAT_VERS_EXPERT}",
                             headers=expert.headers | {"Sec-Fetch-Site": "cross-site"}, data={})
    assert cross_site.status_code == 403


def test_the_expert_sees_new_downloads_a_zip_and_reads_the_contradictoire(portal, people, case) -> None:  # noqa: ANN001
    magistrat, expert, client = people["magistrat"], people["expert"], portal.test_client()
    content = b"%PDF-1.7 questions " + case["id"].encode()
    assert deposit(client, magistrat, case, MAGISTRAT_VERS_EXPERT, "Questions à l'expert.pdf", content).status_code == 303

    status, body = expert.page(client, f"/expertises/{case['id']}")
    tree = body.split('id="titre-dossiers"')[1].split("</section>")[0]
    assert re.search(r"Magistrat → Expert</a>\s*<span class=\"muted\">\(\d+<span", tree)
    assert "New<span class=\"visually-hidden\"> : non téléchargés par vous" in tree
    status, body = expert.page(client, f"/expertises/{case['id']}?dossier={MAGISTRAT_VERS_EXPERT}")
    row = body.split("Questions à l&#39;expert.pdf</a>")[0].rsplit("<tr", 1)[1]
    assert '<span class="badge badge-new">New</span>' in row
    document_id = re.search(r'name="document" value="([0-9a-f-]+)"', row).group(1)  # type: ignore[union-attr]
    assert "Camille ROUSSEAU" in body.split(f'value="{document_id}"')[1].split("</tr>")[0]  # the depositor

    assert client.post(f"/expertises/{case['id']}/archive", headers=expert.headers | SAME_ORIGIN,
                       data={"dossier": MAGISTRAT_VERS_EXPERT}).status_code == 422
    response = client.post(f"/expertises/{case['id']}/archive", headers=expert.headers | SAME_ORIGIN,
                           data={"dossier": MAGISTRAT_VERS_EXPERT, "document": [document_id]})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert archive.namelist() == ["Magistrat/Magistrat → Expert/Questions à l'expert.pdf"]
        assert archive.read(archive.namelist()[0]) == content

    status, body = expert.page(client, f"/expertises/{case['id']}?dossier={MAGISTRAT_VERS_EXPERT}")
    row = body.split("Questions à l&#39;expert.pdf</a>")[0].rsplit("<tr", 1)[1]
    assert "badge-new" not in row  # downloaded: no longer New for the expert

    status, body = expert.page(client, f"/expertises/{case['id']}/documents/{document_id}/contradictoire")
    assert status == 200, body
    assert "Contradictoire : Questions à l&#39;expert.pdf" in body
    seen = body.split('id="titre-vus"')[1]
    assert "Hélène GARNIER" in seen
    assert re.search(r"Vus \(1\)", body) and "Non vus (" in body
    # Only the owner expert has a contradictoire: the vault's refusal, in French.
    status, body = magistrat.page(client, f"/expertises/{case['id']}/documents/{document_id}/contradictoire")
    assert status == 403 and "Action refusée" not in body and "{" not in body.split("<main")[1].split("</main>")[0]


def test_the_owner_expert_shares_a_document(portal, people, case) -> None:  # noqa: ANN001
    magistrat, expert, client = people["magistrat"], people["expert"], portal.test_client()
    deposit(client, magistrat, case, MAGISTRAT_VERS_EXPERT, "Pour partage.pdf", b"%PDF-1.7 partage")
    status, body = expert.page(client, f"/expertises/{case['id']}?dossier={MAGISTRAT_VERS_EXPERT}")
    document_id = re.search(r'value="([0-9a-f-]+)" id="document-[0-9a-f-]+" aria-label="Sélectionner Pour partage.pdf"',
                            body).group(1)  # type: ignore[union-attr]
    path = f"/expertises/{case['id']}/documents/{document_id}/partage"
    status, body = expert.page(client, path)
    assert status == 200 and "Partager : Pour partage.pdf" in body
    magistrat_participant = next(p for p in case["participants"] if p["role"] == "magistrat")
    assert f'value="{magistrat_participant["id"]}"' in body and "checked" not in body
    response = client.post(path, headers=expert.headers | SAME_ORIGIN, data={"participant": [magistrat_participant["id"]]})
    assert response.status_code == 303
    status, body = expert.page(client, response.headers["Location"])
    assert "Le partage du document a été mis à jour." in body and "(partagé avec 1)" in body
    assert expert.page(client, path)[1].count("checked") == 1
    assert magistrat.page(client, path)[0] == 404  # the vault tells only the owner who it is shared with


def test_suivi_du_cout_for_the_owner_expert(portal, people, case) -> None:  # noqa: ANN001
    expert, client = people["expert"], portal.test_client()
    status, body = expert.page(client, f"/expertises/{case['id']}")
    assert status == 200 and case["display_name"] in body, body[body.find("<main"):]
    assert "Suivi du coût</a>" in body and f'href="/expertises/{case["id"]}/administration">Administration</a>' in body
    body = eventually(lambda: (page := expert.page(client, f"/expertises/{case['id']}/cout")[1])
                      and "Total des prestations (HT)" in page and page, "billing to open the case's file")
    assert "Suivi du coût" in body and "Reste à payer" in body and "€" in body
    assert "la facturation commence au passage « En cours »" in body
    assert "Suivi du coût</a>" not in people["magistrat"].page(client, f"/expertises/{case['id']}")[1]


def test_the_expertise_page_says_when_billing_is_down(portal_settings, dead_service_url, people, case) -> None:  # noqa: ANN001
    portal = create_app(portal_settings.model_copy(update={"billing_url": dead_service_url}))
    status, body = people["expert"].page(portal.test_client(), f"/expertises/{case['id']}/cout")
    assert status == 200, body
    assert "Service partiellement indisponible" in body
    assert "Suivi du coût : Le service de facturation ne répond pas pour le moment." in body
    assert case["display_name"] in body  # the rest of the page still renders


def test_a_wrong_deposit_is_locked_with_a_reason_and_can_no_longer_be_downloaded(portal, people, case) -> None:  # noqa: ANN001
    magistrat, expert, client = people["magistrat"], people["expert"], portal.test_client()
    deposit(client, magistrat, case, MAGISTRAT_VERS_EXPERT, "Mauvais fichier.pdf", b"%PDF-1.7 erreur")
    status, body = magistrat.page(client, f"/expertises/{case['id']}?dossier={MAGISTRAT_VERS_EXPERT}")
    document_id = re.search(r'value="([0-9a-f-]+)" id="document-[0-9a-f-]+" aria-label="Sélectionner Mauvais fichier.pdf"',
                            body).group(1)  # type: ignore[union-attr]
    path = f"/expertises/{case['id']}/documents/{document_id}/verrou"
    assert f'href="{path}"' in body  # its depositor may lock it

    status, body = magistrat.page(client, path)
    assert status == 200 and "Verrouiller « Mauvais fichier.pdf » ?" in body and "Il ne peut pas être annulé." in body
    response = client.post(path, headers=magistrat.headers | SAME_ORIGIN, data={"motif": "  "})
    assert response.status_code == 422 and "Motif : à renseigner" in response.get_data(as_text=True)
    assert client.post(path, headers=magistrat.headers | {"Sec-Fetch-Site": "cross-site"},
                       data={"motif": "Erreur"}).status_code == 403
    response = client.post(path, headers=magistrat.headers | SAME_ORIGIN, data={"motif": "Dépôt erroné"})
    assert response.status_code == 303
    status, body = magistrat.page(client, response.headers["Location"])
    assert "Le document est verrouillé" in body
    row = body.split("<s>Mauvais fichier.pdf</s>")[1].split("</tr>")[0]
    assert "Dépôt erroné" in row and f'href="{path}"' not in row
    assert f'value="{document_id}"' not in body  # no longer selectable for a ZIP

    # The vault's own answers, in French: already locked; a locked document is not in a ZIP.
    response = client.post(path, headers=expert.headers | SAME_ORIGIN, data={"motif": "Encore"})
    assert response.status_code == 422 and "Ce document est déjà verrouillé." in response.get_data(as_text=True)
    response = client.post(f"/expertises/{case['id']}/archive", headers=expert.headers | SAME_ORIGIN,
                           data={"dossier": MAGISTRAT_VERS_EXPERT, "document": [document_id]})
    body = response.get_data(as_text=True)
    assert response.status_code in (403, 409, 422) and response.mimetype == "text/html"
    assert 'role="alert" id="erreur-selection"' in body


def test_a_file_larger_than_a_page_is_deposited_whole(portal, people, case, documents_server) -> None:  # noqa: ANN001
    magistrat, client = people["magistrat"], portal.test_client()
    content = b"%PDF-1.7\n" + hashlib.sha256(case["id"].encode()).digest() * (3 * 1024 * 1024 // 32)  # 3 MiB
    response = deposit(client, magistrat, case, MAGISTRAT_VERS_EXPERT, "Scellés photographiés.pdf", content)
    assert response.status_code == 303, response.get_data(as_text=True)
    status, body = magistrat.page(client, response.headers["Location"])
    document_id = re.search(r'/documents/([0-9a-f-]+)/content" download[^>]*>Scellés photographiés.pdf', body).group(1)  # type: ignore[union-attr]
    stored = magistrat.call(documents_server.url, "GET", f"/v1/documents/{document_id}")
    assert stored["size"] == len(content) and stored["sha256"] == hashlib.sha256(content).hexdigest()
