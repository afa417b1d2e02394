"""Who gets which immediate e-mail: pure decisions over event data and the contact read model."""

from __future__ import annotations

import json
from pathlib import Path

from scelle_notification.domain.mails import plan
from scelle_notification.domain.model import Contact

CONTRACTS = Path(__file__).resolve().parents[3]


def example(service: str, name: str) -> dict:
    data = json.loads((CONTRACTS / service / "contracts" / "events" / f"{name}.example.json").read_text())
    return data.get("data", data)


class Directory:
    def __init__(self, *contacts: Contact) -> None:
        self.people = {c.account_id: c for c in contacts}

    def contact(self, account_id: str) -> Contact | None:
        return self.people.get(account_id)

    def active_experts(self) -> list[Contact]:
        return [c for c in self.people.values() if c.profile == "expert" and c.status == "active"]

    def designator_of(self, expertise_id: str) -> str | None:
        return self.designators.get(expertise_id)

    designators: dict[str, str] = {}


EXPERT = Contact("expert-1", "expert", "Hélène", "Garnier", "helene@experts.test")
JUDGE = Contact("judge-1", "magistrat", "François", "Dupont", "francois@justice.test")


def designation(**extra: object) -> dict:
    return {"designation_id": "d-1", "designation_version": 3, "designator_account_id": JUDGE.account_id,
            "designator": {"account_id": JUDGE.account_id, "given_name": "François", "surname": "Dupont",
                           "email": "francois@justice.test"},
            "expert_account_id": EXPERT.account_id,
            "expert": {"account_id": EXPERT.account_id, "given_name": "Hélène", "surname": "Garnier",
                       "email": "helene@experts.test"}, "document_count": 2} | extra


def test_a_sent_designation_mails_the_expert_and_names_the_designator():
    [mail] = plan("designation.created.v1", designation(), Directory(EXPERT, JUDGE))
    assert (mail.kind, mail.account_id, mail.email) == ("designation_sent", EXPERT.account_id, EXPERT.email)
    assert mail.context["designator_name"] == "François DUPONT"


def test_reminders_and_withdrawals_go_to_the_expert_answers_to_the_designator():
    directory = Directory(EXPERT, JUDGE)
    assert [m.account_id for m in plan("designation.reminded.v1", designation(), directory)] == [EXPERT.account_id]
    assert [m.account_id for m in plan("designation.withdrawn.v1", designation(), directory)] == [EXPERT.account_id]
    assert [m.account_id for m in plan("designation.accepted.v1", designation(), directory)] == [JUDGE.account_id]
    [refusal] = plan("designation.refused.v1", designation(justification="Conflit d'intérêts."), directory)
    assert refusal.account_id == JUDGE.account_id and refusal.context["reason"] == "Conflit d'intérêts."


def test_a_designation_reaches_its_people_by_the_address_it_carries_before_identity_told_us_about_them():
    [mail] = plan("designation.created.v1", designation(), Directory())
    assert (mail.email, mail.name) == ("helene@experts.test", "Hélène GARNIER")


def test_the_designation_examples_of_the_designation_service_are_understood():
    directory = Directory()
    for name, to in [("designation.created.v1", "expert_account_id"), ("designation.reminded.v1", "expert_account_id"),
                     ("designation.withdrawn.v1", "expert_account_id"),
                     ("designation.accepted.v1", "designator_account_id"),
                     ("designation.refused.v1", "designator_account_id")]:
        data = example("designation", name)
        [mail] = plan(name, data, directory)
        assert mail.account_id == data[to] and mail.email


def test_a_participant_added_by_someone_else_is_told_but_not_one_who_added_themself():
    data = example("expertise", "expertise.participant_added.v1")
    [mail] = plan("expertise.participant_added.v1", data, Directory())
    assert (mail.kind, mail.account_id, mail.email) == ("participant_added", data["account_id"], data["email"])
    assert plan("expertise.participant_added.v1", data | {"added_by": data["account_id"]}, Directory()) == []
    assert plan("expertise.participant_added.v1", data | {"active": False}, Directory()) == []


def test_the_designator_attached_on_acceptance_is_not_told_again_that_they_take_part():
    data = example("expertise", "expertise.participant_added.v1")
    directory = Directory()
    directory.designators = {data["expertise_id"]: data["account_id"]}
    assert plan("expertise.participant_added.v1", data, directory) == []


def test_an_invited_person_without_an_account_is_mailed_at_their_address():
    data = example("expertise", "expertise.participant_invited.v1")
    [mail] = plan("expertise.participant_invited.v1", data, Directory())
    assert mail.account_id is None and mail.email == data["email"]
    assert mail.recipient_key == f"email:{data['email']}"


def test_a_read_reminder_mails_each_named_account_once():
    data = example("documents", "documents.read_reminder_requested.v1")
    data["account_ids"] = ["a", "b", "a"]
    assert [m.account_id for m in plan("documents.read_reminder_requested.v1", data, Directory())] == ["a", "b"]


def test_billing_mails_go_to_the_billed_account():
    for name in ("billing.invoice_issued.v1", "billing.formal_notice_sent.v1", "billing.account_suspended.v1",
                 "billing.account_reinstated.v1"):
        data = example("billing", name)
        [mail] = plan(name, data, Directory(Contact(data["account_id"], "expert", "H", "G", "h@g.test")))
        assert mail.account_id == data["account_id"] and mail.email == "h@g.test"


def test_a_tariff_announcement_reaches_every_active_expert_and_no_one_else():
    gone = Contact("expert-2", "expert", "A", "B", "a@b.test", status="suspended")
    lawyer = Contact("lawyer-1", "avocat", "C", "D", "c@d.test")
    mails = plan("billing.tariff_announced.v1", example("billing", "billing.tariff_announced.v1"),
                 Directory(EXPERT, gone, lawyer))
    assert [m.account_id for m in mails] == [EXPERT.account_id]


def test_links_identity_mails_itself_are_not_mailed_again():
    for name in ("identity.software_certificate_issued.v1", "identity.certificate_bound.v1",
                 "identity.account_registered.v1"):
        assert plan(name, example("identity", name), Directory(EXPERT)) == []


def test_an_expiring_certificate_is_announced_to_its_holder():
    data = example("identity", "identity.certificate_expiring.v1")
    [mail] = plan("identity.certificate_expiring.v1", data, Directory(Contact(data["account_id"], "expert", "H", "G",
                                                                              "h@g.test")))
    assert mail.context["days_left"] == data["days_left"]
