"""The expertise aggregate: versions, parties, participants, the magistrat en charge, permissions."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from scelle_expertise.domain import model, permissions
from scelle_expertise.domain.errors import Conflict, Forbidden, InvalidRequest, NotFound
from scelle_expertise.domain.model import Expertise, PersonDetails
from scelle_expertise.domain.naming import Naming

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def new_id() -> str:
    return f"id-{next(_ids)}"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def case() -> Expertise:
    naming = Naming(first_applicant="Poitou", first_defender="Hartmann", jurisdiction="TJ Bordeaux",
                    rg_number="22/03700", expert_name="Durand", designation_date=date(2024, 3, 14))
    expertise = Expertise.create(expertise_id="e-1", naming=naming, owner_account_id="owner",
                                 owner=PersonDetails(given_name="Jeanne"), owner_participant_id=new_id(), at=T0,
                                 by="owner")
    expertise.changes.clear()
    return expertise


def member(email: str) -> PersonDetails:
    return PersonDetails(email=email, given_name="Jean", surname="Test")


def party(case: Expertise, representation: str = "avocat", name: str | None = None) -> model.Party:
    return case.add_party(party_id=new_id(), name=name or new_id(), kind="demandeur", representation=representation,
                          at=T0, by="owner")


def magistrat(case: Expertise, account: str, minute: int, en_charge: bool = False) -> model.Participant:
    return case.add_participant(participant_id=new_id(), role="magistrat", account_id=account,
                                person=PersonDetails(), party_ids=[], en_charge=en_charge, at=at(minute), by="owner")


def test_creation_starts_in_en_creation_with_the_owner_as_expert():
    naming = Naming(first_applicant="A", first_defender="B", jurisdiction="C", rg_number="D", expert_name="Durand",
                    designation_date=date(2024, 1, 2))
    expertise = Expertise.create(expertise_id="e", naming=naming, owner_account_id="acc", owner=PersonDetails(),
                                 owner_participant_id="p", at=T0, by="acc")
    assert expertise.status == "en_creation" and expertise.version == 2
    assert [c.kind for c in expertise.changes] == ["created", "participant_added"]
    assert expertise.participation_of("acc").role == "expert"
    assert expertise.participation_of("acc").display_name == "DURAND"


def test_every_change_gets_its_own_version(case):
    first = magistrat(case, "m1", 1)
    magistrat(case, "m2", 2, en_charge=True)  # addition + the first one losing the charge
    assert [(c.kind, c.version) for c in case.changes] == [
        ("participant_added", 3), ("participant_added", 4), ("participant_updated", 5)]
    assert case.changes[-1].details["participant"]["participant_id"] == first.id


def test_the_first_magistrat_is_en_charge_and_deactivating_passes_the_charge(case):
    m1, m2, m3 = magistrat(case, "m1", 1), magistrat(case, "m2", 2), magistrat(case, "m3", 3)
    assert [m.en_charge for m in (m1, m2, m3)] == [True, False, False]
    case.update_participant(m1.id, at(4), "owner", active=False)
    assert [m.en_charge for m in (m1, m2, m3)] == [False, True, False]
    case.update_participant(m3.id, at(5), "owner", en_charge=True)
    assert [m.en_charge for m in (m1, m2, m3)] == [False, False, True]
    case.remove_participant(m3.id, None, at(6), "owner")
    assert [m.en_charge for m in (m1, m2, m3)] == [False, True, False]
    assert case.magistrat_en_charge() is m2


def test_the_charge_cannot_be_dropped_without_handing_it(case):
    only = magistrat(case, "m1", 1)
    with pytest.raises(Conflict):
        case.update_participant(only.id, at(2), "owner", en_charge=False)
    with pytest.raises(InvalidRequest):
        case.add_participant(participant_id=new_id(), role="greffier", account_id="g", person=PersonDetails(),
                             party_ids=[], en_charge=True, at=at(3), by="owner")


def test_an_account_takes_part_once(case):
    magistrat(case, "m1", 1)
    with pytest.raises(Conflict):
        case.add_participant(participant_id=new_id(), role="greffier", account_id="m1", person=PersonDetails(),
                             party_ids=[], en_charge=False, at=at(2), by="owner")


def test_party_members_roles_follow_the_representation(case):
    own = party(case, "elle_meme")
    represented = party(case, "avocat")
    by_expert = party(case, "expert_de_partie")
    paper = party(case, "non_dematerialisee")
    invite = case.invite_participant
    assert invite(participant_id=new_id(), role="partie_lectrice", person=member("a@x.test"),
                  party_ids=[own.id], at=T0, by="owner").role == "partie_publiante"
    assert invite(participant_id=new_id(), role="partie_publiante", person=member("b@x.test"),
                  party_ids=[represented.id], at=T0, by="owner").role == "partie_lectrice"
    assert invite(participant_id=new_id(), role="partie_publiante", person=member("c@x.test"),
                  party_ids=[by_expert.id], at=T0, by="owner").role == "partie_lectrice"
    with pytest.raises(Conflict):
        invite(participant_id=new_id(), role="partie_publiante", person=member("d@x.test"),
               party_ids=[paper.id], at=T0, by="owner")
    with pytest.raises(InvalidRequest):
        invite(participant_id=new_id(), role="partie_publiante", person=member("e@x.test"),
               party_ids=[own.id, represented.id], at=T0, by="owner")


def test_only_members_and_technicians_are_invited_by_email(case):
    with pytest.raises(InvalidRequest):
        case.invite_participant(participant_id=new_id(), role="avocat", person=member("a@x.test"),
                                party_ids=[], at=T0, by="owner")
    sapiteur = case.invite_participant(participant_id=new_id(), role="sapiteur",
                                       person=member("Lab@X.test"), party_ids=[], at=T0, by="owner")
    assert sapiteur.email == "lab@x.test" and sapiteur.invitation_pending
    invited = [c for c in case.changes if c.kind == "participant_invited"]
    assert invited[0].details["profile"] == "sapiteur_externe"


def test_an_expert_de_partie_represents_parties_that_chose_one(case):
    assisted = party(case, "expert_de_partie")
    other = party(case, "avocat")
    added = case.add_participant(participant_id=new_id(), role="expert_de_partie", account_id="x",
                                 person=PersonDetails(), party_ids=[assisted.id], en_charge=False, at=T0, by="owner")
    assert added.party_ids == [assisted.id]
    with pytest.raises(Conflict):
        case.add_participant(participant_id=new_id(), role="expert_de_partie", account_id="y",
                             person=PersonDetails(), party_ids=[other.id], en_charge=False, at=T0, by="owner")
    with pytest.raises(InvalidRequest):
        case.add_participant(participant_id=new_id(), role="greffier", account_id="z", person=PersonDetails(),
                             party_ids=[other.id], en_charge=False, at=T0, by="owner")


def test_a_represented_party_keeps_its_representation_until_its_representative_leaves(case):
    represented = party(case, "avocat")
    avocat = case.add_participant(participant_id=new_id(), role="avocat", account_id="av", person=PersonDetails(),
                                  party_ids=[represented.id], en_charge=False, at=T0, by="owner")
    with pytest.raises(Conflict):
        case.update_party(represented.id, T0, "owner", representation="elle_meme")
    case.remove_participant(avocat.id, None, T0, "owner")
    assert case.update_party(represented.id, T0, "owner", representation="elle_meme")


def test_a_merge_moves_the_participation_and_folds_duplicates(case):
    magistrat(case, "old", 1)
    assert case.replace_account("old", "new", at(2), None)
    assert case.participation_of("new").role == "magistrat" and case.participation_of("old") is None
    magistrat(case, "dup", 3)
    assert case.replace_account("dup", "new", at(4), None)
    assert case.participation_of("dup") is None
    assert case.replace_account("owner", "owner2", at(5), None)
    assert case.owner_account_id == "owner2" and case.participation_of("owner2").role == "expert"


def test_a_finished_case_refuses_changes_until_reopened(case):
    case.change_status("en_cours", confirmed=True, reason=None, at=at(1), by="owner", history_id="h1")
    case.change_status("terminee", confirmed=True, reason=None, at=at(2), by="owner", history_id="h2")
    assert case.terminee_at == at(2) and case.en_cours_at == at(1)
    with pytest.raises(Conflict):
        party(case)
    case.change_status("en_cours", confirmed=True, reason="complément", at=at(3), by="owner", history_id="h3")
    assert case.terminee_at is None and case.en_cours_at == at(1)
    assert [h.to_status for h in case.history] == ["en_creation", "en_cours", "terminee", "en_cours"]


def test_outsiders_and_inactive_participants_are_told_nothing_exists(case):
    greffier = case.add_participant(participant_id=new_id(), role="greffier", account_id="g",
                                    person=PersonDetails(), party_ids=[], en_charge=False, at=T0, by="owner")
    with pytest.raises(NotFound):
        permissions.require_viewer(case, "stranger", "expert")
    with pytest.raises(NotFound):
        permissions.require_viewer(None, "owner", "expert")
    assert permissions.require_viewer(case, "g", "greffier") is greffier
    with pytest.raises(Forbidden):
        permissions.require_owner(case, "g", "greffier")
    case.update_participant(greffier.id, T0, "owner", active=False)
    with pytest.raises(NotFound):
        permissions.require_viewer(case, "g", "greffier")
    assert permissions.require_owner(case, "owner", "expert").role == "expert"
    with pytest.raises(Forbidden):
        permissions.require_creator("magistrat")
