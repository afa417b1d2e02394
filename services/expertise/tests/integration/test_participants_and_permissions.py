"""Parties, participants and who may see or administer an expertise, through the HTTP API."""

from __future__ import annotations

import pytest

from .conftest import audit_rows, create_expertise, outbox_events, problem


@pytest.fixture
def case(caller):
    """An expertise with two parties: a demandeur represented by an avocat, a défendeur by itself."""
    expert = caller("expert")
    created = create_expertise(expert)
    path = f"/v1/expertises/{created['id']}"
    demandeur = expert.post(f"{path}/parties", json={"name": "SCI Les Tilleuls", "kind": "demandeur",
                                                     "representation": "avocat"}).get_json()
    defendeur = expert.post(f"{path}/parties", json={"name": "M. Hartmann", "kind": "defendeur",
                                                     "representation": "elle_meme"}).get_json()
    return {"expert": expert, "id": created["id"], "path": path, "demandeur": demandeur, "defendeur": defendeur}


def add(case, member, role, **extra):
    response = case["expert"].post(f"{case['path']}/participants", json={
        "account_id": member.account_id, "role": role, "given_name": "Anne", "surname": f"{role}",
        "email": f"{member.account_id[:8]}@exemple.test", **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_every_role_added_from_a_directory_sees_the_expertise(case, caller):
    members = {
        "co_expert": (caller("expert"), {}),
        "sapiteur": (caller("expert"), {}),
        "magistrat": (caller("magistrat"), {}),
        "greffier": (caller("greffier"), {}),
        "avocat": (caller("avocat"), {"party_ids": [case["demandeur"]["id"]]}),
        "partie_publiante": (caller("partie"), {"party_ids": [case["defendeur"]["id"]]}),
    }
    for role, (member, extra) in members.items():
        added = add(case, member, role, **extra)
        assert added["role"] == role
        seen = member.get(case["path"])
        assert seen.status_code == 200, role
        assert seen.get_json()["my_role"] == role and not seen.get_json()["is_owner"]
        assert seen.get_json()["allowed_transitions"] == []


def test_only_the_owner_expert_administers(case, caller):
    members = [caller("expert"), caller("magistrat"), caller("greffier"), caller("avocat")]
    roles = ["co_expert", "magistrat", "greffier", "avocat"]
    for member, role in zip(members, roles, strict=True):
        add(case, member, role, **({"party_ids": [case["demandeur"]["id"]]} if role == "avocat" else {}))
    for member in members:
        attempts = [
            member.post(f"{case['path']}/status-changes", json={"to": "en_cours", "confirmed": True}),
            member.put(f"{case['path']}/naming", json={"first_applicant": "X"}),
            member.patch(case["path"], json={"mission": "Autre mission"}),
            member.post(f"{case['path']}/parties", json={"name": "Tiers", "kind": "intervenant",
                                                         "representation": "elle_meme"}),
            member.post(f"{case['path']}/invitations", json={"role": "partie_publiante", "given_name": "Jean",
                                                             "surname": "Test", "email": "x@exemple.test",
                                                             "party_ids": [case["defendeur"]["id"]]}),
        ]
        for response in attempts:
            assert response.status_code in (403, 422), response.get_json()
        forbidden = [r for r in attempts if r.status_code == 403]
        assert len(forbidden) == 4  # the rename's body is invalid first (422): validation precedes the check
        assert all(problem(r)["type"] == "/problems/forbidden" for r in forbidden)


def test_a_non_member_gets_404_exactly_like_an_expertise_that_does_not_exist(case, caller, database_url):
    stranger = caller("expert")
    for profile in ("expert", "magistrat", "avocat", "partie"):
        other = caller(profile)
        seen = other.get(case["path"])
        missing = other.get("/v1/expertises/00000000-0000-4000-8000-000000000000")
        assert seen.status_code == missing.status_code == 404
        assert problem(seen)["type"] == problem(missing)["type"] == "/problems/not-found"
        assert problem(seen)["detail"] == problem(missing)["detail"]
    changed = stranger.post(f"{case['path']}/status-changes", json={"to": "en_cours", "confirmed": True})
    assert changed.status_code == 404
    assert stranger.patch(f"{case['path']}/participants/whatever", json={"active": False}).status_code == 404
    denied = audit_rows(database_url, "expertise.read", f"expertise:{case['id']}")
    assert any(row.outcome == "denied" for row in denied)


def test_an_inactive_participant_sees_nothing_until_reactivated(case, caller):
    avocat = caller("avocat")
    added = add(case, avocat, "avocat", party_ids=[case["demandeur"]["id"]])
    assert avocat.get("/v1/expertises").get_json()["items"][0]["id"] == case["id"]
    deactivated = case["expert"].patch(f"{case['path']}/participants/{added['id']}", json={"active": False})
    assert deactivated.status_code == 200 and deactivated.get_json()["active"] is False
    assert avocat.get(case["path"]).status_code == 404
    assert avocat.get("/v1/expertises").get_json()["items"] == []
    assert avocat.get("/v1/search/expertises", query_string={"q": "Tilleuls"}).get_json()["items"] == []
    assert avocat.get("/v1/statistics/summary").get_json()["total"] == 0
    # The owner still sees the inactive participant; others do not.
    owner_view = case["expert"].get(case["path"]).get_json()
    assert any(p["id"] == added["id"] and not p["active"] for p in owner_view["participants"])
    case["expert"].patch(f"{case['path']}/participants/{added['id']}", json={"active": True})
    assert avocat.get(case["path"]).status_code == 200


def test_a_removed_participant_loses_access_and_the_removal_is_published(case, caller, database_url):
    greffier = caller("greffier")
    added = add(case, greffier, "greffier")
    response = case["expert"].delete(f"{case['path']}/participants/{added['id']}",
                                     query_string={"reason": "Mutation"})
    assert response.status_code == 204
    assert greffier.get(case["path"]).status_code == 404
    removed = outbox_events(database_url, subject=case["id"], name="expertise.participant_removed.v1")
    assert removed[-1].data["participant_id"] == added["id"] and removed[-1].data["active"] is False
    assert removed[-1].data["reason"] == "Mutation"


def test_one_avocat_represents_several_parties_only_if_they_are_represented_by_avocats(case, caller):
    second = case["expert"].post(f"{case['path']}/parties", json={
        "name": "SARL Charpente", "kind": "intervenant", "representation": "avocat"}).get_json()
    avocat = caller("avocat")
    added = add(case, avocat, "avocat", party_ids=[case["demandeur"]["id"], second["id"]])
    assert set(added["party_ids"]) == {case["demandeur"]["id"], second["id"]}
    refused = case["expert"].post(f"{case['path']}/participants", json={
        "account_id": caller("avocat").account_id, "role": "avocat", "party_ids": [case["defendeur"]["id"]]})
    assert refused.status_code == 409 and problem(refused)["type"] == "/problems/representation-mismatch"
    none = case["expert"].post(f"{case['path']}/participants", json={
        "account_id": caller("avocat").account_id, "role": "avocat", "party_ids": []})
    assert none.status_code == 422


def test_exactly_one_magistrat_is_en_charge(case, caller, database_url):
    first, second = caller("magistrat"), caller("magistrat")
    one = add(case, first, "magistrat")
    assert one["en_charge"] is True  # the first magistrat takes the charge
    two = add(case, second, "magistrat")
    assert two["en_charge"] is False
    handed = case["expert"].patch(f"{case['path']}/participants/{two['id']}", json={"en_charge": True})
    assert handed.status_code == 200
    view = case["expert"].get(case["path"]).get_json()
    in_charge = [p["id"] for p in view["participants"] if p["en_charge"]]
    assert in_charge == [two["id"]]
    assert view["magistrat_en_charge"].endswith("MAGISTRAT")
    # Taking the charge away without handing it is refused; deactivating passes it on.
    refused = case["expert"].patch(f"{case['path']}/participants/{two['id']}", json={"en_charge": False})
    assert refused.status_code == 409
    case["expert"].patch(f"{case['path']}/participants/{two['id']}", json={"active": False})
    view = case["expert"].get(case["path"]).get_json()
    assert [p["id"] for p in view["participants"] if p["en_charge"]] == [one["id"]]
    updates = outbox_events(database_url, subject=case["id"], name="expertise.participant_updated.v1")
    assert {"en_charge"} <= {c for e in updates for c in e.data["changed"]}
    assert add(case, caller("greffier"), "greffier")["en_charge"] is False


def test_invited_members_are_announced_for_identity_with_the_profile_to_issue(case, database_url):
    response = case["expert"].post(f"{case['path']}/invitations", json={
        "role": "partie_publiante", "email": "Jean.Martin@Exemple.test", "given_name": "Jean", "surname": "Martin",
        "phone_mobile": "+33 6 12 34 56 78", "party_ids": [case["defendeur"]["id"]]})
    assert response.status_code == 201
    invited = response.get_json()
    assert invited["account_id"] is None and invited["invitation_pending"] is True
    event = outbox_events(database_url, subject=case["id"], name="expertise.participant_invited.v1")[-1]
    assert event.data["profile"] == "partie" and event.data["email"] == "jean.martin@exemple.test"
    assert event.data["party_ids"] == [case["defendeur"]["id"]] and event.data["account_id"] is None
    # A member of a party represented by an avocat only reads.
    reader = case["expert"].post(f"{case['path']}/invitations", json={
        "role": "partie_publiante", "given_name": "Jean", "surname": "Test",
            "email": "gerant@tilleuls.test", "party_ids": [case["demandeur"]["id"]]})
    assert reader.get_json()["role"] == "partie_lectrice"
    sapiteur = case["expert"].post(f"{case['path']}/invitations", json={
        "role": "sapiteur", "email": "labo@exemple.test", "given_name": "Paul", "surname": "Roux"})
    event = outbox_events(database_url, subject=case["id"], name="expertise.participant_invited.v1")[-1]
    assert sapiteur.status_code == 201 and event.data["profile"] == "sapiteur_externe"
    twice = case["expert"].post(f"{case['path']}/invitations", json={
        "role": "partie_publiante", "given_name": "Jean", "surname": "Test",
            "email": "jean.martin@exemple.test", "party_ids": [case["defendeur"]["id"]]})
    assert twice.status_code == 409


def test_a_non_dematerialised_party_has_no_members(case):
    party = case["expert"].post(f"{case['path']}/parties", json={
        "name": "Mme Papier", "kind": "intervenant", "representation": "non_dematerialisee"}).get_json()
    refused = case["expert"].post(f"{case['path']}/invitations", json={
        "role": "partie_publiante", "given_name": "Jean", "surname": "Test",
            "email": "papier@exemple.test", "party_ids": [party["id"]]})
    assert refused.status_code == 409


def test_changing_a_representation_changes_its_members_roles(case, database_url):
    invited = case["expert"].post(f"{case['path']}/invitations", json={
        "role": "partie_publiante", "given_name": "Jean", "surname": "Test",
            "email": "h@exemple.test", "party_ids": [case["defendeur"]["id"]]}).get_json()
    assert invited["role"] == "partie_publiante"
    response = case["expert"].patch(f"{case['path']}/parties/{case['defendeur']['id']}",
                                    json={"representation": "avocat"})
    assert response.status_code == 200
    roles = {p["id"]: p["role"] for p in case["expert"].get(case["path"]).get_json()["participants"]}
    assert roles[invited["id"]] == "partie_lectrice"
    names = [e.name for e in outbox_events(database_url, subject=case["id"])][-2:]
    assert names == ["expertise.party_updated.v1", "expertise.participant_updated.v1"]


def test_party_names_are_limited_and_unique_within_an_expertise(case):
    too_long = case["expert"].post(f"{case['path']}/parties", json={
        "name": "N" * 257, "kind": "demandeur", "representation": "avocat"})
    assert too_long.status_code == 422
    duplicate = case["expert"].post(f"{case['path']}/parties", json={
        "name": "sci les tilleuls", "kind": "demandeur", "representation": "avocat"})
    assert duplicate.status_code == 409


def test_the_owner_expert_cannot_be_removed_or_deactivated(case):
    owner = next(p for p in case["expert"].get(case["path"]).get_json()["participants"] if p["role"] == "expert")
    assert case["expert"].patch(f"{case['path']}/participants/{owner['id']}", json={"active": False}).status_code == 409
    assert case["expert"].delete(f"{case['path']}/participants/{owner['id']}").status_code == 409


def test_party_added_events_carry_what_billing_and_the_vault_need(case, database_url):
    events = outbox_events(database_url, subject=case["id"], name="expertise.party_added.v1")
    assert [e.data["name"] for e in events] == ["SCI Les Tilleuls", "M. Hartmann"]
    assert events[0].data["representation"] == "avocat" and events[0].data["kind"] == "demandeur"
