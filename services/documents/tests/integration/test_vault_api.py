"""Deposits, downloads, receipts, locks, shares, reads and search through the HTTP API."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from scelle_documents.domain.receipts import verify_receipt

from .conftest import audit_rows, outbox_events, problem

PDF = b"%PDF-1.7\n" + b"x" * 5000


def _case_in_progress(new_case):  # noqa: ANN001, ANN202
    case = new_case()
    case.add_party("A")
    case.add_participant("avocat", "avocat", parties=["A"])
    case.add_participant("magistrat", "magistrat")
    case.set_status("en_cours")
    return case


def test_a_deposit_is_stored_hashed_received_and_announced(new_case, database_url, vault):
    case = _case_in_progress(new_case)
    folder = case.folders()[f"parties/{case.parties['A']}/pieces-cotees"]
    data = PDF + bytes(range(256)) * 50_000  # ~12.8 MB: three parts
    response = case.members["avocat"].deposit(folder["id"], "Pièce n°1 – constat.pdf", data)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["size"] == len(data)
    assert body["media_type"] == "application/pdf" and body["file_name"] == "Pièce n°1 – constat.pdf"
    assert verify_receipt(body["receipt"], vault.signer.public_jwks()).valid
    assert body["receipt"]["depositor"]["certificate_fingerprint"] == "ab" * 32
    events = outbox_events(database_url, subject=body["id"], name="documents.document_deposited.v1")
    assert len(events) == 1
    assert case.members["expert"].account_id in events[0].data["audience"]
    assert case.members["magistrat"].account_id not in events[0].data["audience"]  # shared cell, nothing shared
    assert audit_rows(database_url, "documents.deposit", f"document:{body['id']}")

    download = case.members["expert"].get(f"/v1/documents/{body['id']}/content")
    assert download.status_code == 200 and hashlib.sha256(download.data).hexdigest() == body["sha256"]
    assert download.headers["Content-Disposition"].endswith("filename*=UTF-8''Pi%C3%A8ce%20n%C2%B01%20%E2%80%93%20constat.pdf")
    partial = case.members["expert"].get(f"/v1/documents/{body['id']}/content", headers={"Range": "bytes=5-14"})
    assert partial.status_code == 206 and partial.data == data[5:15]
    assert partial.headers["Content-Range"] == f"bytes 5-14/{len(data)}"
    reads = outbox_events(database_url, subject=body["id"], name="documents.document_read.v1")
    assert [event.data["account_id"] for event in reads] == [case.members["expert"].account_id]


def test_a_refused_deposit_says_which_rule_refused_it(new_case):
    case = new_case()
    case.add_party("A")
    avocat = case.add_participant("avocat", "avocat", parties=["A"])
    folders = case.folders()
    body = problem(avocat.deposit(folders[f"parties/{case.parties['A']}/pieces-cotees"]["id"], "a.pdf", PDF))
    assert body["status"] == 403 and body["rule"] == "folder" or body["rule"] == "status"
    case.set_status("en_cours")
    refused = avocat.deposit(folders["expert/correspondance"]["id"], "a.pdf", PDF)
    assert refused.status_code == 403 and problem(refused)["rule"] == "role"
    assert problem(avocat.deposit(folders["expert/designation"]["id"], "a.pdf", b"")).get("rule") == "role"


def test_empty_oversized_and_executable_files_are_refused(new_case, vault):
    case = new_case()
    expert = case.members["expert"]
    folder = case.folders()["expert/correspondance"]["id"]
    empty = expert.deposit(folder, "vide.pdf", b"")
    assert empty.status_code == 422 and problem(empty)["rule"] == "empty"
    exe = expert.deposit(folder, "facture.pdf", b"MZ" + b"\x00" * 100)
    assert exe.status_code == 422 and problem(exe)["rule"] == "type"
    big = expert.deposit(folder, "gros.bin", b"\x00" * (vault.max_document_bytes + 1))
    assert big.status_code == 413 and problem(big)["rule"] == "size"
    listing = expert.get(f"/v1/folders/{folder}/documents").get_json()
    assert listing["items"] == []


def test_names_are_sanitised_and_the_original_kept(new_case):
    case = new_case()
    expert = case.members["expert"]
    folder = case.folders()["expert/correspondance"]["id"]
    body = expert.deposit(folder, "../../etc/pa\x07sswd.txt", b"bonjour").get_json()
    assert body["file_name"] == "_.._etc_pa_sswd.txt" and body["original_name"] == "../../etc/pa\x07sswd.txt"
    assert body["media_type"] == "text/plain"


def test_a_locked_document_stays_listed_but_cannot_be_downloaded(new_case, database_url):
    case = new_case()
    expert = case.members["expert"]
    folder = case.folders()["expert/correspondance"]["id"]
    document = expert.deposit(folder, "erreur.pdf", PDF).get_json()
    locked = expert.post(f"/v1/documents/{document['id']}/lock", json={"reason": "Mauvaise pièce"})
    assert locked.status_code == 200 and locked.get_json()["locked"]
    listing = expert.get(f"/v1/folders/{folder}/documents").get_json()["items"]
    assert listing[0]["locked"] and listing[0]["lock_reason"] == "Mauvaise pièce"
    refused = expert.get(f"/v1/documents/{document['id']}/content")
    assert refused.status_code == 403 and problem(refused)["type"] == "/problems/document-locked"
    assert outbox_events(database_url, subject=document["id"], name="documents.document_locked.v1")
    assert expert.post(f"/v1/documents/{document['id']}/lock", json={"reason": "encore"}).status_code == 409


def test_shares_open_shared_cells_and_the_contradictoire_shows_who_read(new_case, database_url):
    case = _case_in_progress(new_case)
    expert, magistrat, avocat = case.members["expert"], case.members["magistrat"], case.members["avocat"]
    folder = case.folders()[f"parties/{case.parties['A']}/dires-et-annexes"]["id"]
    document = avocat.deposit(folder, "Dire n°1.pdf", PDF).get_json()
    assert magistrat.get(f"/v1/documents/{document['id']}/content").status_code == 403
    assert magistrat.get(f"/v1/folders/{folder}/documents").get_json()["items"] == []
    assert magistrat.put(f"/v1/documents/{document['id']}/shares/{case.participants['magistrat']}").status_code == 403
    shared = expert.put(f"/v1/documents/{document['id']}/shares/{case.participants['magistrat']}")
    assert shared.status_code == 200 and shared.get_json()["shared_count"] == 1
    assert [d["id"] for d in magistrat.get(f"/v1/folders/{folder}/documents").get_json()["items"]] == [document["id"]]
    view = expert.get(f"/v1/documents/{document['id']}/contradictoire").get_json()
    assert {row["account_id"] for row in view["non_vus"]} >= {magistrat.account_id, expert.account_id}
    assert magistrat.get(f"/v1/documents/{document['id']}/content").status_code == 200
    view = expert.get(f"/v1/documents/{document['id']}/contradictoire").get_json()
    assert [row["account_id"] for row in view["vus"]] == [magistrat.account_id]
    assert view["vus"][0]["first_read_at"]
    reminded = expert.post(f"/v1/documents/{document['id']}/reminders")
    assert reminded.status_code == 202 and magistrat.account_id not in reminded.get_json()["reminded_account_ids"]
    assert outbox_events(database_url, subject=document["id"], name="documents.read_reminder_requested.v1")
    assert magistrat.get(f"/v1/documents/{document['id']}/contradictoire").status_code == 403
    expert.delete(f"/v1/documents/{document['id']}/shares/{case.participants['magistrat']}")
    assert magistrat.get(f"/v1/documents/{document['id']}/content").status_code == 403
    assert len(outbox_events(database_url, subject=document["id"], name="documents.document_shared.v1")) == 2


def test_new_marks_and_counts_follow_each_users_downloads(new_case):
    case = _case_in_progress(new_case)
    expert, avocat = case.members["expert"], case.members["avocat"]
    folder = case.folders()["expert/notes-aux-parties"]["id"]
    first = expert.deposit(folder, "Note 1.pdf", PDF).get_json()
    expert.deposit(folder, "Note 2.pdf", PDF)
    counts = {f["path"]: f for f in avocat.get(f"/v1/expertises/{case.id}/folders").get_json()["folders"]}
    assert counts["expert/notes-aux-parties"]["unread_count"] == 2
    avocat.get(f"/v1/documents/{first['id']}/content")
    listing = avocat.get(f"/v1/folders/{folder}/documents").get_json()["items"]
    assert [item["new"] for item in listing] == [False, True]
    assert avocat.get(f"/v1/expertises/{case.id}/folders").get_json()["unread_count"] == 1


def test_several_files_download_as_one_streamed_zip(new_case):
    case = new_case()
    expert = case.members["expert"]
    folders = case.folders()
    ids = [expert.deposit(folders["expert/correspondance"]["id"], f"Lettre {i}.txt", f"lettre {i}".encode()
                          ).get_json()["id"] for i in range(3)]
    ids.append(expert.deposit(folders["expert/designation"]["id"], "Lettre 0.txt", b"autre").get_json()["id"])
    response = expert.post(f"/v1/expertises/{case.id}/archive", json={"document_ids": ids})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert int(response.headers["Content-Length"]) == len(response.data)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.read("Expert/Correspondance/Lettre 1.txt") == b"lettre 1"
    assert archive.read("Expert/Désignation/Lettre 0.txt") == b"autre"


def test_search_finds_names_without_accents_among_readable_documents(new_case):
    case = _case_in_progress(new_case)
    expert, avocat = case.members["expert"], case.members["avocat"]
    folders = case.folders()
    expert.deposit(folders["expert/correspondance"]["id"], "Rapport d'Étape.pdf", PDF)
    expert.deposit(folders["expert/gestion-financiere"]["id"], "Etape financière.pdf", PDF)
    names = [item["file_name"] for item in avocat.get("/v1/search", query_string={"q": "etape"}).get_json()["items"]]
    assert names == ["Rapport d'Étape.pdf"]  # the financial folder is shared-only for an avocat
    assert len(expert.get("/v1/search", query_string={"q": "ÉTAPE"}).get_json()["items"]) == 2


def test_a_receipt_verifies_and_a_tampered_one_does_not(new_case):
    case = new_case()
    expert = case.members["expert"]
    document = expert.deposit(case.folders()["expert/correspondance"]["id"], "a.txt", b"abc").get_json()
    receipt = expert.get(f"/v1/documents/{document['id']}/receipt").get_json()
    assert expert.post("/v1/receipts/verification", json=receipt).get_json()["valid"]
    tampered = receipt | {"sha256": "0" * 64}
    assert not expert.post("/v1/receipts/verification", json=tampered).get_json()["valid"]
    keys = expert.client.get("/v1/receipt-keys").get_json()
    assert verify_receipt(json.loads(json.dumps(receipt)), keys).valid


def test_sub_folders_are_created_where_the_caller_may_deposit(new_case):
    case = _case_in_progress(new_case)
    avocat = case.members["avocat"]
    folders = case.folders()
    own = folders[f"parties/{case.parties['A']}/pieces-cotees"]["id"]
    created = avocat.post(f"/v1/folders/{own}/subfolders", json={"name": "Expertise amiable"})
    assert created.status_code == 201
    sub = created.get_json()
    assert sub["label"].endswith("/ Expertise amiable")
    assert avocat.deposit(sub["id"], "p.pdf", PDF).status_code == 201
    refused = avocat.post(f"/v1/folders/{folders['expert/correspondance']['id']}/subfolders", json={"name": "x"})
    assert refused.status_code == 403


def test_a_non_member_learns_nothing(new_case, app, principal_signer):
    case = new_case()
    document = case.members["expert"].deposit(case.folders()["expert/correspondance"]["id"], "a.txt", b"a").get_json()
    stranger = case.caller(profile="avocat")
    assert stranger.get(f"/v1/expertises/{case.id}/folders").status_code == 404
    assert stranger.get(f"/v1/documents/{document['id']}/content").status_code == 404
    assert stranger.get(f"/v1/documents/{document['id']}/receipt").status_code == 404


def test_a_retried_deposit_with_the_same_idempotency_key_gives_back_the_first_document(new_case, database_url):
    case = new_case()
    expert = case.members["expert"]
    folders = case.folders()
    folder = folders["expert/correspondance"]["id"]
    key = {"Idempotency-Key": f"upload-{case.id}"}
    first = expert.client.post(f"/v1/folders/{folder}/documents", query_string={"name": "lettre.pdf"}, data=PDF,
                               headers=expert.headers({"Content-Type": "application/octet-stream", **key}))
    again = expert.client.post(f"/v1/folders/{folder}/documents", query_string={"name": "lettre.pdf"}, data=PDF,
                               headers=expert.headers({"Content-Type": "application/octet-stream", **key}))
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert first.get_json()["receipt"] == again.get_json()["receipt"]
    assert len(expert.get(f"/v1/folders/{folder}/documents").get_json()["items"]) == 1
    other = expert.client.post(f"/v1/folders/{folders['expert/designation']['id']}/documents",
                               query_string={"name": "lettre.pdf"}, data=PDF,
                               headers=expert.headers({"Content-Type": "application/octet-stream", **key}))
    assert other.status_code == 409 and problem(other)["type"] == "/problems/idempotency-key-reused"


def test_an_unsatisfiable_range_is_a_416_problem(new_case):
    case = new_case()
    expert = case.members["expert"]
    document = expert.deposit(case.folders()["expert/correspondance"]["id"], "a.txt", b"abcdef").get_json()
    response = expert.get(f"/v1/documents/{document['id']}/content", headers={"Range": "bytes=100-200"})
    assert response.status_code == 416 and response.headers["Content-Range"] == "bytes */6"
    assert problem(response)["type"] == "/problems/range-not-satisfiable"
    suffix = expert.get(f"/v1/documents/{document['id']}/content", headers={"Range": "bytes=-2"})
    assert suffix.status_code == 206 and suffix.data == b"ef"


def test_an_archive_with_one_forbidden_or_locked_document_is_refused_whole(new_case):
    case = _case_in_progress(new_case)
    expert, avocat = case.members["expert"], case.members["avocat"]
    folders = case.folders()
    readable = expert.deposit(folders["expert/correspondance"]["id"], "a.txt", b"a").get_json()["id"]
    hidden = expert.deposit(folders["expert/gestion-financiere"]["id"], "b.txt", b"b").get_json()["id"]
    refused = avocat.post(f"/v1/expertises/{case.id}/archive", json={"document_ids": [readable, hidden]})
    assert refused.status_code == 403 and problem(refused)["rule"] == "share"
    expert.post(f"/v1/documents/{readable}/lock", json={"reason": "erreur"})
    locked = avocat.post(f"/v1/expertises/{case.id}/archive", json={"document_ids": [readable]})
    assert locked.status_code == 403 and problem(locked)["type"] == "/problems/document-locked"


def test_every_listing_download_and_refusal_is_in_the_audit_chain(new_case, database_url, app):
    case = _case_in_progress(new_case)
    avocat = case.members["avocat"]
    folder = case.folders()["expert/correspondance"]["id"]
    document = case.members["expert"].deposit(folder, "a.txt", b"a").get_json()
    avocat.get(f"/v1/folders/{folder}/documents")
    avocat.get(f"/v1/documents/{document['id']}/content")
    avocat.deposit(folder, "refus.txt", b"x")
    assert audit_rows(database_url, "documents.list", f"folder:{folder}")[-1].account_id == avocat.account_id
    assert audit_rows(database_url, "documents.download", f"document:{document['id']}")[-1].outcome == "allowed"
    refusal = audit_rows(database_url, "documents.deposit", f"folder:{folder}")[-1]
    assert refusal.outcome == "denied" and refusal.details["rule"] == "role"
    runtime = app.extensions["scelle_runtime"]
    with runtime.session_factory() as session:
        assert runtime.audit.verify(session).intact
