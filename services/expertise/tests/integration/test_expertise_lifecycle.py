"""Creating, reading, renaming and moving an expertise through the HTTP API."""

from __future__ import annotations

from .conftest import audit_rows, create_expertise, naming, outbox_events, problem


def test_an_expert_creates_an_expertise_and_owns_it(caller, database_url):
    expert = caller("expert")
    created = create_expertise(expert, first_applicant="Société Générale d'Écully", mi_number="Mi-17",
                               designation_date="29/02/2024")
    assert created["status"] == "en_creation"
    assert created["is_owner"] and created["my_role"] == "expert"
    assert created["display_name"].startswith("SOCIETE GENERALE D'ECULLY_HARTMANN_TJ BORDEAUX_22/")
    assert created["display_name"].endswith("_DURAND_MI-17_29-02-2024")
    assert created["consignation_label"] == "En attente de consignation"
    assert created["allowed_transitions"] == ["en_cours"]
    events = outbox_events(database_url, subject=created["id"])
    assert [(e.name, e.data["expertise_version"]) for e in events] == [
        ("expertise.created.v1", 1), ("expertise.participant_added.v1", 2)]
    assert events[0].data["owner_account_id"] == expert.account_id
    assert events[1].data["role"] == "expert" and events[1].data["account_id"] == expert.account_id
    assert audit_rows(database_url, "expertise.create", f"expertise:{created['id']}")


def test_only_experts_create_expertises(caller):
    for profile in ("magistrat", "greffier", "avocat", "partie", "sapiteur_externe", "operateur"):
        response = caller(profile).post("/v1/expertises", json=naming())
        assert response.status_code == 403, profile
        assert problem(response)["type"] == "/problems/forbidden"


def test_an_impossible_designation_date_is_refused_with_the_field_named(caller):
    response = caller("expert").post("/v1/expertises", json=naming(designation_date="29-02-2023"))
    body = problem(response)
    assert response.status_code == 422
    assert body["errors"][0]["pointer"] == "/designation_date"


def test_naming_limits_are_enforced(caller):
    expert = caller("expert")
    assert expert.post("/v1/expertises", json=naming(mi_number="M" * 13)).status_code == 422
    assert expert.post("/v1/expertises", json=naming(first_applicant="A" * 129)).status_code == 422
    assert expert.post("/v1/expertises", json=naming(jurisdiction="")).status_code == 422
    missing = naming()
    del missing["rg_number"]
    assert expert.post("/v1/expertises", json=missing).status_code == 422


def test_the_same_idempotency_key_replays_the_first_creation(caller, database_url):
    expert = caller("expert")
    body = naming()
    first = expert.post("/v1/expertises", json=body, headers={"Idempotency-Key": "create-1"})
    again = expert.post("/v1/expertises", json=body, headers={"Idempotency-Key": "create-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert len(outbox_events(database_url, subject=first.get_json()["id"], name="expertise.created.v1")) == 1
    other = expert.post("/v1/expertises", json=naming(), headers={"Idempotency-Key": "create-1"})
    assert other.status_code == 409
    assert problem(other)["type"] == "/problems/idempotency-key-reused"
    # Keys belong to an account: another expert's same key creates their own expertise.
    someone_else = caller("expert").post("/v1/expertises", json=body, headers={"Idempotency-Key": "create-1"})
    assert someone_else.get_json()["id"] != first.get_json()["id"]


def test_renaming_recomputes_the_display_name_and_publishes_it(caller, database_url):
    expert = caller("expert")
    created = create_expertise(expert)
    response = expert.put(f"/v1/expertises/{created['id']}/naming",
                          json=naming(first_applicant="Lefèvre", rg_number="23/00001", record_number="D-881",
                                      designation_date="01.12.2023"))
    assert response.status_code == 200
    assert response.get_json()["display_name"] == "LEFEVRE_HARTMANN_TJ BORDEAUX_23/00001_DURAND_D-881_01-12-2023"
    renamed = outbox_events(database_url, subject=created["id"], name="expertise.renamed.v1")
    assert renamed[0].data["previous_display_name"] == created["display_name"]
    assert renamed[0].data["naming"]["designation_date"] == "2023-12-01"


def test_portalis_mission_consignation_and_deadline_are_recorded_with_their_events(caller, database_url):
    expert = caller("expert")
    created = create_expertise(expert)
    response = expert.patch(f"/v1/expertises/{created['id']}", json={
        "portalis_number": "DBYK-W-B7C-B45M", "mission": "Décrire les désordres.",
        "consignation_date": "2024-04-02", "deadline": "2025-03-31"})
    body = response.get_json()
    assert response.status_code == 200
    assert body["consignation_label"] == "02/04/2024" and body["deadline"] == "2025-03-31"
    names = [e.name for e in outbox_events(database_url, subject=created["id"])][2:]
    assert names == ["expertise.details_updated.v1", "expertise.consignation_recorded.v1",
                     "expertise.deadline_changed.v1"]
    cleared = expert.patch(f"/v1/expertises/{created['id']}", json={"consignation_date": None}).get_json()
    assert cleared["consignation_label"] == "En attente de consignation"


def test_status_changes_follow_the_machine_and_are_recorded_with_who_when_why(caller, database_url, clock):
    expert = caller("expert")
    created = create_expertise(expert)
    path = f"/v1/expertises/{created['id']}/status-changes"
    started = expert.post(path, json={"to": "en_cours", "confirmed": True, "reason": "Provision consignée"})
    assert started.status_code == 201
    assert started.get_json()["to_status"] == "en_cours"
    clock.advance(days=30)
    assert expert.post(path, json={"to": "en_pause", "confirmed": True}).status_code == 201
    assert expert.post(path, json={"to": "terminee", "confirmed": True}).status_code == 201
    detail = expert.get(f"/v1/expertises/{created['id']}").get_json()
    assert [(h["from_status"], h["to_status"]) for h in detail["history"]] == [
        (None, "en_creation"), ("en_creation", "en_cours"), ("en_cours", "en_pause"), ("en_pause", "terminee")]
    assert all(h["changed_by"] == expert.account_id for h in detail["history"])
    assert detail["history"][1]["reason"] == "Provision consignée"
    events = outbox_events(database_url, subject=created["id"], name="expertise.status_changed.v1")
    assert [(e.data["from_status"], e.data["to_status"]) for e in events] == [
        ("en_creation", "en_cours"), ("en_cours", "en_pause"), ("en_pause", "terminee")]
    versions = [e.data["expertise_version"] for e in outbox_events(database_url, subject=created["id"])]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


def test_an_illegal_transition_is_a_409_naming_the_allowed_targets(caller):
    expert = caller("expert")
    created = create_expertise(expert)
    response = expert.post(f"/v1/expertises/{created['id']}/status-changes",
                           json={"to": "terminee", "confirmed": True})
    body = problem(response)
    assert response.status_code == 409
    assert body["type"] == "/problems/illegal-status-transition"
    assert body["allowed_targets"] == ["en_cours"]
    assert body["current_status"] == "en_creation"


def test_a_status_change_must_be_confirmed(caller):
    expert = caller("expert")
    created = create_expertise(expert)
    response = expert.post(f"/v1/expertises/{created['id']}/status-changes", json={"to": "en_cours",
                                                                                   "confirmed": False})
    assert response.status_code == 422
    assert problem(response)["type"] == "/problems/confirmation-required"


def test_a_finished_expertise_reopens_only_with_a_reason_and_is_read_only_meanwhile(caller, database_url):
    expert = caller("expert")
    created = create_expertise(expert)
    path = f"/v1/expertises/{created['id']}/status-changes"
    for target in ("en_cours", "terminee"):
        assert expert.post(path, json={"to": target, "confirmed": True}).status_code == 201
    frozen = expert.post(f"/v1/expertises/{created['id']}/parties",
                         json={"name": "SCI Tilleuls", "kind": "demandeur", "representation": "avocat"})
    assert frozen.status_code == 409 and problem(frozen)["type"] == "/problems/expertise-terminee"
    assert expert.post(path, json={"to": "en_cours", "confirmed": True}).status_code == 422
    reopened = expert.post(path, json={"to": "en_cours", "confirmed": True, "reason": "Complément de mission"})
    assert reopened.status_code == 201 and reopened.get_json()["reopened"] is True
    event = outbox_events(database_url, subject=created["id"], name="expertise.status_changed.v1")[-1]
    assert event.data["reopened"] is True and event.data["reason"] == "Complément de mission"
