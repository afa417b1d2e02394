"""The read model and folder tree kept from expertise and identity events, through the real consumer."""

from __future__ import annotations

import uuid

from scelle_common.events import new_event, serialize_event
from scelle_documents.entrypoints.consumer import CONSUMERS

from .conftest import Case, feed


def test_a_redelivered_event_has_no_second_effect(app, principal_signer):
    case = Case(app, principal_signer).create()
    runtime = app.extensions["scelle_runtime"]
    party_id = str(uuid.uuid4())
    event = new_event(service="expertise", name="expertise.party_added.v1", subject=case.id, data={
        "expertise_id": case.id, "expertise_version": 50, "display_name": "X", "status": "en_cours",
        "party_id": party_id, "name": "SCI Redite", "kind": "defendeur", "representation": "avocat"})
    consumer = runtime.consumer("expertises", CONSUMERS["expertises"])
    assert consumer.handle(serialize_event(event)).value == "ack"
    assert consumer.handle(serialize_event(event)).value == "ack"
    paths = [path for path in case.folders() if party_id in path]
    assert sorted(paths) == sorted(f"parties/{party_id}/{name}" for name in
                                   ("bordereaux", "dires-et-annexes", "pieces-cotees", "confidentiel-accepte"))


def test_a_stale_status_does_not_overwrite_a_newer_one(app, principal_signer):
    case = Case(app, principal_signer).create()
    case.set_status("en_cours")
    newer = case.version
    feed(app, "expertise.status_changed.v1", {
        "expertise_id": case.id, "expertise_version": newer - 1, "display_name": "X", "status": "en_creation",
        "from_status": "en_creation", "to_status": "en_creation", "reason": None, "reopened": False,
        "changed_by": None, "changed_at": "2026-01-01T00:00:00Z"}, case.id)
    listing = case.members["expert"].get(f"/v1/expertises/{case.id}/folders").get_json()
    assert listing["status"] == "en_cours"


def test_a_sapiteur_gets_its_folders_and_a_removed_participant_loses_everything(app, principal_signer):
    case = Case(app, principal_signer).create()
    case.set_status("en_cours")
    sapiteur = case.add_participant("sapiteur", "sapiteur")
    participant_id = case.participants["sapiteur"]
    own = case.folders()[f"sapiteur/{participant_id}/sapiteur-vers-expert"]
    assert own["label"] == "Sapiteur sapiteur TEST / Sapiteur → Expert"
    assert sapiteur.deposit(own["id"], "note.txt", b"note").status_code == 201
    feed(app, "expertise.participant_removed.v1", case._next() | {
        "participant_id": participant_id, "account_id": sapiteur.account_id, "email": None, "given_name": "s",
        "surname": "S", "participant_display_name": "S", "role": "sapiteur", "party_ids": [], "active": False,
        "en_charge": False, "invitation_pending": False, "reason": None, "removed_by": None,
        "removed_at": "2026-01-01T00:00:00Z"}, case.id)
    assert sapiteur.get(f"/v1/folders/{own['id']}/documents").status_code == 404


def test_a_participant_made_inactive_then_active_again_follows_the_events(app, principal_signer):
    case = Case(app, principal_signer).create()
    case.set_status("en_cours")
    case.add_party("A")
    avocat = case.add_participant("avocat", "avocat", parties=["A"])
    folder = case.folders()["expert/correspondance"]["id"]
    base = {"participant_id": case.participants["avocat"], "account_id": avocat.account_id, "email": None,
            "given_name": "a", "surname": "A", "participant_display_name": "A", "role": "avocat",
            "party_ids": [case.parties["A"]], "en_charge": False, "invitation_pending": False, "updated_by": None,
            "updated_at": "2026-01-01T00:00:00Z", "changed": ["active"]}
    feed(app, "expertise.participant_updated.v1", case._next() | base | {"active": False}, case.id)
    assert avocat.get(f"/v1/folders/{folder}/documents").get_json(force=True)["rule"] == "inactive"
    feed(app, "expertise.participant_updated.v1", case._next() | base | {"active": True}, case.id)
    assert avocat.get(f"/v1/folders/{folder}/documents").status_code == 200


def test_merged_accounts_keep_their_memberships_deposits_and_reads(app, principal_signer):
    case = Case(app, principal_signer).create()
    old = case.members["expert"]
    folder = case.folders()["expert/correspondance"]["id"]
    document = old.deposit(folder, "a.txt", b"a").get_json()
    assert old.get(f"/v1/documents/{document['id']}/content").status_code == 200
    surviving = case.caller(profile="expert")
    feed(app, "identity.accounts_merged.v1", {
        "account_id": surviving.account_id, "account_version": 3, "status": "active",
        "merged_account_id": old.account_id, "merged_account_version": 2, "moved_certificates": [],
        "merged_by": str(uuid.uuid4()), "merged_at": "2026-01-01T00:00:00Z"}, surviving.account_id)
    listing = surviving.get(f"/v1/folders/{folder}/documents").get_json()
    assert [(item["id"], item["new"], item["depositor_account_id"]) for item in listing["items"]] == [
        (document["id"], False, surviving.account_id)]
    assert old.get(f"/v1/folders/{folder}/documents").status_code == 404
