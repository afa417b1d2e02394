"""The designation API on a real database: drafts, sending, reminders, withdrawal, answers, lists."""

from __future__ import annotations

import threading
import uuid

from scelle_common.events import new_event
from scelle_common.messaging import Outcome

from .conftest import Caller, audit_rows, deposited, expert_card, feed, naming, outbox_events, problem


# -- drafting and sending -------------------------------------------------------------------------

def test_a_magistrat_opens_a_draft_and_the_vault_is_told_to_open_its_dossier(flow, database_url):
    designation_id = flow.draft(with_expert=False)
    seen = flow.magistrat.get(f"/v1/designations/{designation_id}").get_json()
    assert seen["status"] == "brouillon" and seen["status_label"] == "Brouillon" and seen["expert"] is None
    assert seen["dossier"] == {"request_folder": f"designation/{designation_id}/demande",
                               "response_folder": f"designation/{designation_id}/reponse"}
    [drafted] = outbox_events(database_url, designation_id, "designation.drafted.v1")
    assert drafted.data["designator"]["profile"] == "magistrat" and drafted.data["status"] == "brouillon"
    assert outbox_events(database_url, designation_id, "designation.created.v1") == []  # not sent: nobody is told
    assert audit_rows(database_url, "designation.create", f"designation:{designation_id}")


def test_only_justice_users_designate(caller):
    for profile in ("expert", "avocat"):
        problem(caller(profile).post("/v1/designations", json={}), 403, "forbidden")


def test_sending_with_no_expert_and_no_file_names_both(flow):
    designation_id = flow.draft(with_expert=False)
    body = problem(flow.magistrat.post(f"/v1/designations/{designation_id}/sending"), 422, "designation-incomplete")
    assert body["missing"] == ["expert", "documents"]
    assert {e["pointer"] for e in body["errors"]} == {"/expert", "/documents"}
    flow.magistrat.put(f"/v1/designations/{designation_id}/expert", json=expert_card(flow.expert))
    body = problem(flow.magistrat.post(f"/v1/designations/{designation_id}/sending"), 422, "designation-incomplete")
    assert body["missing"] == ["documents"]


def test_a_response_file_does_not_make_a_request_complete(flow):
    designation_id = flow.draft()
    flow.deposit(designation_id, part="reponse")
    body = problem(flow.magistrat.post(f"/v1/designations/{designation_id}/sending"), 422, "designation-incomplete")
    assert body["missing"] == ["documents"]


def test_a_designation_sent_with_its_files_reaches_the_expert(flow, database_url):
    designation_id = flow.draft()
    event = flow.deposit(designation_id)
    assert feed(flow.app, event) is Outcome.ACK  # redelivered: the inbox skips it
    sent = flow.magistrat.post(f"/v1/designations/{designation_id}/sending").get_json()
    assert sent["status"] == "en_attente" and sent["document_count"] == 1 and sent["can_remind"]
    assert not sent["can_withdraw"]
    [announced] = outbox_events(database_url, designation_id, "designation.created.v1")
    assert [d["sha256"] for d in announced.data["request_documents"]] == [event.data["sha256"]]
    assert announced.data["expert_account_id"] == flow.expert.account_id
    problem(flow.magistrat.post(f"/v1/designations/{designation_id}/sending"), 409, "designation-already-sent")
    problem(flow.magistrat.put(f"/v1/designations/{designation_id}/expert", json=expert_card(flow.expert)),
            409, "designation-already-sent")


def test_a_file_locked_in_the_vault_before_sending_no_longer_counts(flow, app):
    designation_id = flow.draft()
    deposit = flow.deposit(designation_id)
    locked = new_event(service="documents", name="documents.document_locked.v1", subject=deposit.data["document_id"],
                       data={"designation_id": designation_id, "document_id": deposit.data["document_id"],
                             "folder": deposit.data["folder"], "reason": "Mauvaise pièce",
                             "locked_at": "2026-11-20T09:20:00Z"})
    assert feed(app, locked) is Outcome.ACK
    problem(flow.magistrat.post(f"/v1/designations/{designation_id}/sending"), 422, "designation-incomplete")


def test_a_deposit_for_an_unknown_dossier_or_an_expertise_folder_is_acknowledged_without_effect(app):
    assert feed(app, deposited(str(uuid.uuid4()))) is Outcome.ACK
    other = deposited(str(uuid.uuid4()))
    other.data["folder"]["path"] = "expert/designation"
    other.data["designation_id"] = None
    assert feed(app, other) is Outcome.ACK


def test_a_draft_is_invisible_to_the_expert_and_to_others(flow, caller):
    designation_id = flow.draft()
    problem(flow.expert.get(f"/v1/designations/{designation_id}"), 404, "not-found")
    problem(caller("magistrat").get(f"/v1/designations/{designation_id}"), 404, "not-found")
    problem(caller("magistrat").post(f"/v1/designations/{designation_id}/sending"), 404, "not-found")


def test_creating_with_an_idempotency_key_twice_creates_one_designation(flow):
    headers = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    first = flow.magistrat.post("/v1/designations", json={"expert": expert_card(flow.expert)}, headers=headers)
    again = flow.magistrat.post("/v1/designations", json={"expert": expert_card(flow.expert)}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json()["id"] == again.get_json()["id"]
    problem(flow.magistrat.post("/v1/designations", json={}, headers=headers), 409, "idempotency-key-reused")


# -- reminders and withdrawal ---------------------------------------------------------------------

def test_a_second_reminder_within_24_hours_is_refused_with_the_time_it_becomes_possible(flow, clock, database_url):
    designation_id = flow.sent()
    first = flow.magistrat.post(f"/v1/designations/{designation_id}/reminders").get_json()
    assert first["reminder_count"] == 1 and not first["can_remind"]
    clock.advance(hours=23, minutes=59, seconds=59)
    body = problem(flow.magistrat.post(f"/v1/designations/{designation_id}/reminders"), 409, "reminder-too-early")
    assert body["possible_at"] == first["reminder_possible_at"]
    clock.advance(seconds=1)
    second = flow.magistrat.post(f"/v1/designations/{designation_id}/reminders").get_json()
    assert second["reminder_count"] == 2 and second["hours_since_last_reminder"] == 0
    reminders = outbox_events(database_url, designation_id, "designation.reminded.v1")
    assert [e.data["reminder_count"] for e in reminders] == [1, 2]
    outcomes = [row.outcome for row in audit_rows(database_url, "designation.remind", f"designation:{designation_id}")]
    assert outcomes == ["ok", "denied", "ok"]  # the refused reminder is on the record too


def test_withdrawal_needs_a_reminder_then_24_hours_and_the_expert_can_no_longer_answer(flow, clock, database_url):
    designation_id = flow.sent()
    path = f"/v1/designations/{designation_id}"
    clock.advance(days=5)
    problem(flow.magistrat.post(f"{path}/withdrawal"), 409, "withdrawal-without-reminder")
    flow.magistrat.post(f"{path}/reminders")
    clock.advance(hours=23)
    body = problem(flow.magistrat.post(f"{path}/withdrawal"), 409, "withdrawal-too-early")
    assert body["possible_at"]
    clock.advance(hours=1)
    withdrawn = flow.magistrat.post(f"{path}/withdrawal").get_json()
    assert withdrawn["status"] == "retiree" and withdrawn["status_label"] == "Retirée"
    [event] = outbox_events(database_url, designation_id, "designation.withdrawn.v1")
    assert event.data["expert_account_id"] == flow.expert.account_id  # the notification service tells the expert
    problem(flow.expert.post(f"{path}/acceptance", json=naming()), 409, "designation-withdrawn")
    problem(flow.expert.post(f"{path}/acceptance", json=naming(designation_date="31-02-2024")), 409,
            "designation-withdrawn")
    problem(flow.magistrat.post(f"{path}/reminders"), 409, "designation-withdrawn")
    assert flow.expert.get("/v1/designations/pending").get_json()["count"] == 0


# -- the expert's answers -------------------------------------------------------------------------

def test_the_expert_sees_pending_designations_with_their_count(flow):
    first, second = flow.sent(), flow.sent()
    pending = flow.expert.get("/v1/designations/pending").get_json()
    assert pending["count"] == 2 and [d["id"] for d in pending["items"]] == [first, second]
    page = flow.expert.get("/v1/designations/pending", query_string={"limit": 1}).get_json()
    assert [d["id"] for d in page["items"]] == [first] and page["next_cursor"]
    rest = flow.expert.get("/v1/designations/pending", query_string={"cursor": page["next_cursor"]}).get_json()
    assert [d["id"] for d in rest["items"]] == [second] and rest["next_cursor"] is None
    assert flow.expert.get(f"/v1/designations/{first}").get_json()["documents"]["demande"][0]["file_name"]


def test_acceptance_publishes_what_the_expertise_and_the_vault_need(flow, database_url):
    designation_id = flow.sent()
    fields = naming(mi_number="MI-42")
    accepted = flow.expert.post(f"/v1/designations/{designation_id}/acceptance",
                                json=fields | {"portalis_number": "DBYK-W-B7C-B45M"})
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["status"] == "acceptee"
    [event] = outbox_events(database_url, designation_id, "designation.accepted.v1")
    data = event.data
    assert data["designation_id"] == designation_id and data["expert_account_id"] == flow.expert.account_id
    assert data["designator"] == {"account_id": flow.magistrat.account_id, "profile": "magistrat",
                                  "given_name": "François", "surname": "Dupont", "email": "f.dupont@justice.test"}
    assert data["naming"]["rg_number"] == fields["rg_number"] and data["naming"]["designation_date"] == "14-11-2026"
    assert data["portalis_number"] == "DBYK-W-B7C-B45M" and len(data["request_documents"]) == 1
    assert data["designation_version"] > outbox_events(database_url, designation_id,
                                                       "designation.created.v1")[0].data["designation_version"]
    problem(flow.expert.post(f"/v1/designations/{designation_id}/acceptance", json=naming()), 409,
            "designation-already-answered")
    problem(flow.expert.post(f"/v1/designations/{designation_id}/refusal", json={"justification": "Non"}), 409,
            "designation-already-answered")
    problem(flow.magistrat.post(f"/v1/designations/{designation_id}/reminders"), 409, "designation-already-answered")


def test_an_impossible_naming_date_is_refused_before_anything_is_published(flow, database_url):
    designation_id = flow.sent()
    body = problem(flow.expert.post(f"/v1/designations/{designation_id}/acceptance",
                                    json=naming(designation_date="31-02-2024")), 422, "validation-failed")
    assert body["errors"][0]["pointer"] == "/naming/designation_date"
    problem(flow.expert.post(f"/v1/designations/{designation_id}/acceptance", json={}), 422, "validation-failed")
    assert outbox_events(database_url, designation_id, "designation.accepted.v1") == []


def test_another_expert_cannot_see_or_answer(flow, caller):
    designation_id = flow.sent()
    intruder = caller("expert")
    problem(intruder.get(f"/v1/designations/{designation_id}"), 404, "not-found")
    problem(intruder.post(f"/v1/designations/{designation_id}/acceptance",
                          json=naming(designation_date="31-02-2024")), 404, "not-found")
    problem(intruder.post(f"/v1/designations/{designation_id}/acceptance", json=naming()), 404, "not-found")
    problem(intruder.post(f"/v1/designations/{designation_id}/refusal", json={"justification": "x"}), 404,
            "not-found")
    problem(flow.magistrat.post(f"/v1/designations/{designation_id}/acceptance", json=naming()), 404, "not-found")


def test_a_refusal_needs_a_justification_file_and_shows_as_rejetee(flow, database_url):
    designation_id = flow.sent()
    path = f"/v1/designations/{designation_id}"
    body = problem(flow.expert.post(f"{path}/refusal", json={"justification": "Conflit d'intérêts"}), 422,
                   "validation-failed")
    assert [e["pointer"] for e in body["errors"]] == ["/documents"]
    problem(flow.expert.post(f"{path}/refusal", json={}), 422, "validation-failed")
    flow.deposit(designation_id, part="reponse", content=b"%PDF-1.7 motif")
    refused = flow.expert.post(f"{path}/refusal", json={"justification": "Conflit d'intérêts"}).get_json()
    assert refused["status"] == "refusee" and refused["status_label"] == "Rejetée"
    [event] = outbox_events(database_url, designation_id, "designation.refused.v1")
    assert event.data["justification"] == "Conflit d'intérêts" and len(event.data["response_documents"]) == 1
    problem(flow.expert.post(f"{path}/acceptance", json=naming()), 409, "designation-already-answered")


# -- lists and statistics -------------------------------------------------------------------------

def test_justice_lists_default_to_en_attente_and_filter_by_state(flow):
    draft, pending = flow.draft(), flow.sent()
    refused = flow.sent()
    flow.deposit(refused, part="reponse")
    flow.expert.post(f"/v1/designations/{refused}/refusal", json={"justification": "Indisponible"})

    def ids(**query):
        response = flow.magistrat.get("/v1/designations", query_string=query)
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert ids() == [pending]
    assert ids(state="all") == [refused, pending, draft]
    assert ids(state="rejetee") == ids(state="refusee") == [refused]
    assert ids(state=["brouillon", "refusee"]) == [refused, draft]
    labels = [i["status_label"] for i in flow.magistrat.get("/v1/designations", query_string={"state": "all"})
              .get_json()["items"]]
    assert labels == ["Rejetée", "En attente", "Brouillon"]
    page = flow.magistrat.get("/v1/designations", query_string={"state": "all", "limit": 2}).get_json()
    rest = flow.magistrat.get("/v1/designations", query_string={"state": "all", "cursor": page["next_cursor"]})
    assert [i["id"] for i in rest.get_json()["items"]] == [draft]
    problem(flow.magistrat.get("/v1/designations", query_string={"state": "perdue"}), 422, "validation-failed")
    problem(flow.expert.get("/v1/designations"), 403, "forbidden")


def test_statistics_count_outcomes_and_the_median_hours_to_answer(flow, clock):
    answered = []
    for hours in (2, 10, 30):
        designation_id = flow.sent()
        clock.advance(hours=hours)
        flow.expert.post(f"/v1/designations/{designation_id}/acceptance", json=naming())
        answered.append(designation_id)
    refused = flow.sent()
    clock.advance(hours=4)
    flow.deposit(refused, part="reponse")
    flow.expert.post(f"/v1/designations/{refused}/refusal", json={"justification": "Non"})
    withdrawn = flow.sent()
    flow.magistrat.post(f"/v1/designations/{withdrawn}/reminders")
    clock.advance(hours=24)
    flow.magistrat.post(f"/v1/designations/{withdrawn}/withdrawal")
    flow.sent()
    flow.draft()
    figures = flow.magistrat.get("/v1/designations/statistics").get_json()
    assert figures == {"drafts": 1, "sent": 6, "pending": 1, "accepted": 3, "refused": 1, "withdrawn": 1,
                       "median_hours_to_answer": 7.0}


def test_two_answers_at_the_same_moment_make_one_answer(flow, app, principal_signer):
    designation_id = flow.sent()
    flow.deposit(designation_id, part="reponse")
    results: list[int] = []
    start = threading.Barrier(2)

    def answer(path: str, body: dict) -> None:
        expert = Caller(app.test_client(), principal_signer, flow.expert.account_id, "expert")
        start.wait()
        results.append(expert.post(f"/v1/designations/{designation_id}/{path}", json=body).status_code)

    threads = [threading.Thread(target=answer, args=("acceptance", naming())),
               threading.Thread(target=answer, args=("refusal", {"justification": "Non"}))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]
