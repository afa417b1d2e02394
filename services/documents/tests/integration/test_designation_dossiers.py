"""Designation dossiers: who deposits and reads while the designation lives, and the request files
filed into expert/designation of the expertise it becomes (same bytes, same hashes)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import create_engine, text

from .conftest import Case, feed, outbox_events, problem

ORDONNANCE = b"%PDF-1.7\nordonnance de refere"


def designation_event(app: Any, name: str, designation_id: str, version: int, status: str, designator: str,
                      expert: str) -> None:
    feed(app, name, {"designation_id": designation_id, "designation_version": version, "status": status,
                     "designator_account_id": designator, "designator_profile": "magistrat",
                     "expert_account_id": expert}, designation_id)


def dossier(caller: Any, designation_id: str) -> dict[str, dict[str, Any]]:
    response = caller.get(f"/v1/designations/{designation_id}/folders")
    assert response.status_code == 200, response.get_json()
    return {folder["path"].rsplit("/", 1)[1]: folder for folder in response.get_json()["folders"]}


def test_a_designation_dossier_follows_the_designation_and_lands_in_expert_designation(app, principal_signer,
                                                                                    database_url):
    helper = Case(app, principal_signer)
    magistrat, expert, stranger = (helper.caller(profile=p) for p in ("magistrat", "expert", "avocat"))
    designation_id = str(uuid.uuid4())
    designation_event(app, "designation.drafted.v1", designation_id, 1, "brouillon", magistrat.account_id,
                      expert.account_id)

    folders = dossier(magistrat, designation_id)
    assert set(folders) == {"demande"}  # nothing answered yet: the response folder shows once sent
    deposited = magistrat.deposit(folders["demande"]["id"], "Ordonnance.pdf", ORDONNANCE)
    assert deposited.status_code == 201
    event = outbox_events(database_url, subject=deposited.get_json()["id"], name="documents.document_deposited.v1")[0]
    assert event.data["designation_id"] == designation_id and event.data["expertise_id"] is None
    assert event.data["folder"]["path"] == f"designation/{designation_id}/demande"
    assert expert.get(f"/v1/designations/{designation_id}/folders").get_json()["folders"] == []  # a draft
    assert stranger.get(f"/v1/designations/{designation_id}/folders").status_code == 404

    designation_event(app, "designation.created.v1", designation_id, 2, "en_attente", magistrat.account_id,
                      expert.account_id)
    seen_by_expert = dossier(expert, designation_id)
    assert seen_by_expert["demande"]["access"] == "read" and seen_by_expert["reponse"]["access"] == "deposit"
    refused = expert.deposit(seen_by_expert["demande"]["id"], "x.pdf", ORDONNANCE)
    assert refused.status_code == 403 and problem(refused)["rule"] == "role"
    assert magistrat.deposit(seen_by_expert["reponse"]["id"], "x.pdf", ORDONNANCE).status_code == 403

    designation_event(app, "designation.accepted.v1", designation_id, 3, "acceptee", magistrat.account_id,
                      expert.account_id)
    closed = magistrat.deposit(folders["demande"]["id"], "tard.pdf", ORDONNANCE)
    assert closed.status_code == 403 and problem(closed)["rule"] == "status"

    case = Case(app, principal_signer)
    case.members["expert"] = expert
    feed(app, "expertise.created.v1", case._next() | {"owner_account_id": expert.account_id,
                                                      "designation_id": designation_id,
                                                      "created_at": "2026-11-21T08:00:00Z"}, case.id)
    case.add_participant("expert", "expert", caller=expert)
    target = case.folders()["expert/designation"]
    items = expert.get(f"/v1/folders/{target['id']}/documents").get_json()["items"]
    assert [item["sha256"] for item in items] == [hashlib.sha256(ORDONNANCE).hexdigest()]
    download = expert.get(f"/v1/documents/{items[0]['id']}/content")
    assert download.status_code == 200 and download.data == ORDONNANCE
    engine = create_engine(database_url)
    with engine.connect() as connection:
        keys = connection.execute(text("SELECT DISTINCT object_key FROM documents WHERE id IN (:a, :b)"),
                                  {"a": items[0]["id"], "b": deposited.get_json()["id"]}).scalars().all()
    engine.dispose()
    assert len(keys) == 1  # same object, bytes not copied
    filed = outbox_events(database_url, subject=items[0]["id"], name="documents.document_deposited.v1")
    assert filed[0].data["expertise_id"] == case.id
    # Told to the owner expert only: the magistrat who deposited the request reads nothing in expert/*.
    assert filed[0].data["audience"] == [expert.account_id]
