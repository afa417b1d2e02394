"""The designation rules: sending, the 24 h windows of reminders and withdrawal, answers in every state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scelle_designation.domain import model
from scelle_designation.domain.errors import Conflict, Forbidden, InvalidRequest, MissingForSending, NotFound, TooEarly
from scelle_designation.domain.model import Designation, Designator, DossierFile, ExpertChoice
from scelle_designation.domain.naming import Naming

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MAGISTRAT, EXPERT, OTHER_EXPERT = "magistrat-1", "expert-1", "expert-2"
DAY = timedelta(hours=24)
SECOND = timedelta(seconds=1)


def file(part: str = model.REQUEST, document_id: str = "doc-1") -> DossierFile:
    return DossierFile(document_id=document_id, part=part, file_name="ordonnance.pdf", size=10, sha256="a" * 64,
                       media_type="application/pdf", deposited_at=T0)


def draft(expert: bool = True, files: int = 1) -> Designation:
    designation = Designation.create("d-1", Designator(MAGISTRAT, "magistrat", "François", "Dupont"), T0,
                                     ExpertChoice(EXPERT, "Hélène", "Garnier") if expert else None)
    for index in range(files):
        designation.file_deposited(file(document_id=f"doc-{index}"))
    return designation


def sent() -> Designation:
    designation = draft()
    designation.send(T0, MAGISTRAT)
    return designation


def naming() -> Naming:
    return Naming.from_fields({"first_applicant": "Poitou", "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
                               "rg_number": "22/03700", "expert_name": "Garnier", "designation_date": "14-11-2026"})


def in_state(status: str) -> Designation:
    designation = sent() if status != model.BROUILLON else draft()
    if status == model.ACCEPTEE:
        designation.accept(naming(), T0 + SECOND, EXPERT)
    elif status == model.REFUSEE:
        designation.file_deposited(file(model.RESPONSE, "doc-r"))
        designation.refuse("Conflit d'intérêts", T0 + SECOND, EXPERT)
    elif status == model.RETIREE:
        designation.remind(T0, MAGISTRAT)
        designation.withdraw(T0 + DAY, MAGISTRAT)
    assert designation.status == status
    return designation


# -- creation and sending -------------------------------------------------------------------------

def test_only_a_magistrat_or_a_greffier_opens_a_designation():
    for profile in ("magistrat", "greffier"):
        assert Designation.create("d", Designator("a", profile), T0).status == model.BROUILLON
    for profile in ("expert", "avocat", "operateur"):
        with pytest.raises(Forbidden):
            Designation.create("d", Designator("a", profile), T0)


def test_sending_with_an_expert_and_a_file_puts_the_designation_en_attente():
    designation = sent()
    assert designation.status == model.EN_ATTENTE and designation.sent_at == T0
    assert [c.kind for c in designation.changes] == [model.DRAFTED, model.SENT]


def test_sending_without_an_expert_or_a_file_names_both_missing_things():
    with pytest.raises(MissingForSending) as missing:
        draft(expert=False, files=0).send(T0, MAGISTRAT)
    assert missing.value.missing == ["expert", "documents"]
    with pytest.raises(MissingForSending) as missing:
        draft(files=0).send(T0, MAGISTRAT)
    assert missing.value.missing == ["documents"]
    with pytest.raises(MissingForSending) as missing:
        draft(expert=False).send(T0, MAGISTRAT)
    assert missing.value.missing == ["expert"]


def test_a_file_removed_before_sending_no_longer_counts():
    designation = draft(files=1)
    assert designation.file_removed("doc-0", T0)
    with pytest.raises(MissingForSending):
        designation.send(T0, MAGISTRAT)


def test_the_same_file_announced_twice_is_kept_once():
    designation = draft(files=1)
    assert not designation.file_deposited(file(document_id="doc-0"))
    assert len(designation.files) == 1


def test_only_the_designator_sends_and_a_sent_designation_cannot_be_sent_again():
    designation = draft()
    with pytest.raises(NotFound):
        designation.send(T0, "someone-else")
    designation.send(T0, MAGISTRAT)
    with pytest.raises(Conflict) as conflict:
        designation.send(T0, MAGISTRAT)
    assert conflict.value.slug == "designation-already-sent"
    with pytest.raises(Conflict):
        designation.choose_expert(ExpertChoice(OTHER_EXPERT), T0, MAGISTRAT)


def test_a_draft_is_invisible_to_its_expert_until_sent():
    designation = draft()
    assert designation.visible_to(MAGISTRAT) and not designation.visible_to(EXPERT)
    designation.send(T0, MAGISTRAT)
    assert designation.visible_to(EXPERT) and not designation.visible_to(OTHER_EXPERT)


# -- reminders ------------------------------------------------------------------------------------

def test_a_designation_never_reminded_may_be_reminded_at_once():
    designation = sent()
    designation.remind(T0, MAGISTRAT)
    assert designation.reminder_count == 1 and designation.last_reminded_at == T0


def test_a_second_reminder_24_hours_minus_one_second_later_is_refused_with_the_time_it_becomes_possible():
    designation = sent()
    designation.remind(T0, MAGISTRAT)
    with pytest.raises(TooEarly) as early:
        designation.remind(T0 + DAY - SECOND, MAGISTRAT)
    assert early.value.slug == "reminder-too-early" and early.value.possible_at == T0 + DAY
    assert designation.reminder_count == 1


def test_a_second_reminder_exactly_24_hours_later_is_allowed_and_counted():
    designation = sent()
    designation.remind(T0, MAGISTRAT)
    designation.remind(T0 + DAY, MAGISTRAT)
    assert designation.reminder_count == 2 and designation.last_reminded_at == T0 + DAY
    assert [c.version for c in designation.changes] == [1, 2, 3, 4]


def test_a_draft_cannot_be_reminded():
    with pytest.raises(Conflict) as conflict:
        draft().remind(T0, MAGISTRAT)
    assert conflict.value.slug == "designation-not-sent"


# -- withdrawal -----------------------------------------------------------------------------------

def test_withdrawal_before_any_reminder_is_refused_even_days_later():
    designation = sent()
    with pytest.raises(Conflict) as conflict:
        designation.withdraw(T0 + 10 * DAY, MAGISTRAT)
    assert conflict.value.slug == "withdrawal-without-reminder"
    assert not designation.can_withdraw(T0 + 10 * DAY)


def test_withdrawal_24_hours_minus_one_second_after_the_reminder_is_refused():
    designation = sent()
    designation.remind(T0, MAGISTRAT)
    with pytest.raises(TooEarly) as early:
        designation.withdraw(T0 + DAY - SECOND, MAGISTRAT)
    assert early.value.slug == "withdrawal-too-early" and early.value.possible_at == T0 + DAY
    assert designation.status == model.EN_ATTENTE


def test_withdrawal_exactly_24_hours_after_the_last_reminder_is_allowed():
    designation = sent()
    designation.remind(T0, MAGISTRAT)
    designation.remind(T0 + DAY, MAGISTRAT)
    with pytest.raises(TooEarly):
        designation.withdraw(T0 + DAY + DAY - SECOND, MAGISTRAT)
    designation.withdraw(T0 + 2 * DAY, MAGISTRAT)
    assert designation.status == model.RETIREE and designation.withdrawn_at == T0 + 2 * DAY
    assert designation.changes[-1].kind == model.WITHDRAWN


def test_only_the_designator_reminds_or_withdraws():
    designation = sent()
    with pytest.raises(NotFound):
        designation.remind(T0, EXPERT)
    designation.remind(T0, MAGISTRAT)
    with pytest.raises(NotFound):
        designation.withdraw(T0 + DAY, "another-magistrat")


# -- answers --------------------------------------------------------------------------------------

def test_the_expert_accepts_with_the_naming_fields_and_no_file():
    designation = sent()
    designation.accept(naming(), T0 + 5 * timedelta(hours=1), EXPERT, portalis_number="DBYK-W-B7C-B45M")
    assert designation.status == model.ACCEPTEE and designation.hours_to_answer() == 5
    assert designation.naming is not None and designation.naming.as_data()["designation_date"] == "14-11-2026"


def test_a_refusal_needs_a_justification_and_a_response_file():
    designation = sent()
    with pytest.raises(InvalidRequest) as invalid:
        designation.refuse("  ", T0, EXPERT)
    assert set(invalid.value.fields) == {"/justification", "/documents"}
    designation.file_deposited(file(model.RESPONSE, "doc-r"))
    designation.refuse("Conflit d'intérêts", T0, EXPERT)
    assert designation.status == model.REFUSEE and model.LABELS[designation.status] == "Rejetée"


def test_a_request_file_does_not_justify_a_refusal():
    designation = sent()
    with pytest.raises(InvalidRequest):
        designation.refuse("Indisponible", T0, EXPERT)


@pytest.mark.parametrize("status, slug", [
    (model.ACCEPTEE, "designation-already-answered"),
    (model.REFUSEE, "designation-already-answered"),
    (model.RETIREE, "designation-withdrawn"),
])
def test_no_answer_is_taken_once_the_designation_is_answered_or_withdrawn(status, slug):
    for answer in (lambda d: d.accept(naming(), T0 + DAY, EXPERT), lambda d: d.refuse("Non", T0 + DAY, EXPERT)):
        designation = in_state(status)
        designation.file_deposited(file(model.RESPONSE, "doc-r2"))
        with pytest.raises(Conflict) as conflict:
            answer(designation)
        assert conflict.value.slug == slug and designation.status == status


def test_a_draft_cannot_be_answered_it_does_not_exist_for_the_expert():
    with pytest.raises(NotFound):
        in_state(model.BROUILLON).accept(naming(), T0, EXPERT)


@pytest.mark.parametrize("status", model.STATUSES)
def test_another_expert_never_learns_the_designation_exists(status):
    designation = in_state(status)
    with pytest.raises(NotFound):
        designation.accept(naming(), T0 + DAY, OTHER_EXPERT)
    with pytest.raises(NotFound):
        designation.refuse("Non", T0 + DAY, OTHER_EXPERT)


@pytest.mark.parametrize("status", [model.ACCEPTEE, model.REFUSEE, model.RETIREE])
def test_an_answered_or_withdrawn_designation_cannot_be_reminded_or_withdrawn(status):
    designation = in_state(status)
    with pytest.raises(Conflict):
        designation.remind(T0 + 5 * DAY, MAGISTRAT)
    with pytest.raises(Conflict):
        designation.withdraw(T0 + 5 * DAY, MAGISTRAT)


# -- naming ---------------------------------------------------------------------------------------

def test_naming_reports_every_missing_or_too_long_field_at_once():
    with pytest.raises(InvalidRequest) as invalid:
        Naming.from_fields({"first_applicant": "A", "mi_number": "1234567890123", "designation_date": "31-02-2024"})
    assert set(invalid.value.fields) == {"/naming/first_defender", "/naming/jurisdiction", "/naming/rg_number",
                                         "/naming/expert_name", "/naming/mi_number", "/naming/designation_date"}


def test_naming_dates_accept_the_client_separators_and_iso():
    for text in ("29.02.2024", "29/02/2024", "29 02 2024", "2024-02-29"):
        fields = {"first_applicant": "a", "first_defender": "b", "jurisdiction": "c", "rg_number": "d",
                  "expert_name": "e", "designation_date": text}
        assert Naming.from_fields(fields).as_data()["designation_date"] == "29-02-2024"


# -- the directory --------------------------------------------------------------------------------

def test_the_directory_wins_over_the_client_snapshot_and_refuses_what_is_not_an_active_expert():
    from scelle_designation.domain.directory import DirectoryEntry, expert_from_directory

    choice = ExpertChoice(EXPERT, "Helene", "Garnier", court_code="bordeaux")
    assert expert_from_directory(choice, None) == choice  # not heard of yet: the client's card stands
    entry = DirectoryEntry(EXPERT, "expert", "active", "Hélène", "Garnier", "h@experts.test", "paris", False, ("E.1",))
    chosen = expert_from_directory(choice, entry)
    assert (chosen.given_name, chosen.court_code, chosen.specialities) == ("Hélène", "paris", ("E.1",))
    for profile, status in (("avocat", "active"), ("expert", "suspended"), ("expert", "merged")):
        with pytest.raises(InvalidRequest) as invalid:
            expert_from_directory(choice, DirectoryEntry(EXPERT, profile, status))
        assert "/expert/account_id" in invalid.value.fields
