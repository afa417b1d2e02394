"""identity's directory in the designation service: who may be designated, names, merged accounts."""

from __future__ import annotations

import uuid
from typing import Any

from scelle_common.events import new_event, serialize_event
from scelle_common.messaging import Outcome
from scelle_designation.entrypoints.consumer import CONSUMERS

from .conftest import expert_card, outbox_events, problem


def announce(app: Any, name: str, **data: Any) -> Outcome:
    """Deliver one identity event to the designation's ``accounts`` consumer (inbox included)."""
    event = new_event(service="identity", name=name, subject=str(data.get("account_id")), data=data)
    return app.extensions["scelle_runtime"].consumer("accounts", CONSUMERS["accounts"]).handle(serialize_event(event))


def registered(app: Any, account_id: str, profile: str, version: int = 1, **data: Any) -> None:
    values = {"account_id": account_id, "account_version": version, "profile": profile, "status": "active",
              "given_name": "Hélène", "surname": "Garnier", "email": "h.garnier@experts.test",
              "court_code": "paris", "national_list": True, "specialities": ["E.1.3"],
              "registered_at": "2026-11-20T09:00:00Z"} | data
    assert announce(app, "identity.account_registered.v1", **values) is Outcome.ACK


def test_an_expert_known_to_the_directory_is_stored_as_the_directory_says(flow, app):
    registered(app, flow.expert.account_id, "expert", court_code="versailles")
    card = expert_card(flow.expert) | {"given_name": "Helene (typo)", "court_code": "paris"}
    created = flow.magistrat.post("/v1/designations", json={"expert": card}).get_json()
    assert created["expert"]["given_name"] == "Hélène" and created["expert"]["court_code"] == "versailles"


def test_a_known_account_that_is_not_an_active_expert_cannot_be_designated(flow, app, caller):
    lawyer = caller("avocat")
    registered(app, lawyer.account_id, "avocat")
    body = problem(flow.magistrat.post("/v1/designations", json={"expert": expert_card(lawyer)}), 422,
                   "validation-failed")
    assert body["errors"][0]["pointer"] == "/expert/account_id"
    registered(app, flow.expert.account_id, "expert")
    assert announce(app, "identity.account_updated.v1", account_id=flow.expert.account_id, account_version=2,
                    profile="expert", status="suspended", changed=["status"]) is Outcome.ACK
    draft = flow.draft(with_expert=False)
    problem(flow.magistrat.put(f"/v1/designations/{draft}/expert", json=expert_card(flow.expert)), 422,
            "validation-failed")


def test_an_older_directory_version_never_overwrites_a_newer_one(flow, app):
    registered(app, flow.expert.account_id, "expert", version=3, surname="Garnier-Neuve")
    registered(app, flow.expert.account_id, "expert", version=2, surname="Ancienne")
    created = flow.magistrat.post("/v1/designations", json={"expert": expert_card(flow.expert)}).get_json()
    assert created["expert"]["surname"] == "Garnier-Neuve"


def test_the_designator_names_come_from_the_directory_when_the_client_gives_none(app, caller):
    magistrat = caller("magistrat")
    registered(app, magistrat.account_id, "magistrat", given_name="François", surname="Dupont")
    created = magistrat.post("/v1/designations", json={}).get_json()
    assert (created["designator"]["given_name"], created["designator"]["surname"]) == ("François", "Dupont")


def test_a_merged_expert_account_hands_its_pending_designations_to_the_kept_account(flow, app, caller, database_url):
    designation_id = flow.sent()
    kept = caller("expert")
    assert announce(app, "identity.accounts_merged.v1", account_id=kept.account_id, account_version=4,
                    status="active", merged_account_id=flow.expert.account_id, merged_account_version=2,
                    moved_certificates=[], merged_by=str(uuid.uuid4()), merged_at="2026-12-03T14:00:00Z") \
        is Outcome.ACK
    problem(flow.expert.get(f"/v1/designations/{designation_id}"), 404, "not-found")
    assert kept.get("/v1/designations/pending").get_json()["count"] == 1
    accepted = kept.post(f"/v1/designations/{designation_id}/acceptance", json={
        "first_applicant": "A", "first_defender": "B", "jurisdiction": "C", "rg_number": "D", "expert_name": "E",
        "designation_date": "01-12-2026"})
    assert accepted.status_code == 200, accepted.get_json()
    [event] = outbox_events(database_url, designation_id, "designation.accepted.v1")
    assert event.data["expert_account_id"] == event.data["expert"]["account_id"] == kept.account_id
    # The merged account, once known to the directory, can no longer be designated.
    registered(app, flow.expert.account_id, "expert", version=1)
    assert announce(app, "identity.accounts_merged.v1", account_id=kept.account_id, account_version=5,
                    status="active", merged_account_id=flow.expert.account_id, merged_account_version=2,
                    moved_certificates=[], merged_by=None, merged_at="2026-12-03T15:00:00Z") is Outcome.ACK
    problem(flow.magistrat.post("/v1/designations", json={"expert": expert_card(flow.expert)}), 422,
            "validation-failed")
