"""The contact read model follows identity and expertise events, in version order."""

from __future__ import annotations


from scelle_common.events import new_event

from .conftest import Case, billing_event, person


def test_an_older_account_version_never_overwrites_a_newer_address(notification):
    who = person("expert", "Anne")
    updated = new_event(service="identity", name="identity.account_updated.v1", subject=who.account_id, data={
        "account_id": who.account_id, "account_version": 3, "profile": "expert", "status": "active",
        "given_name": "Anne", "surname": who.surname, "email": "nouvelle@exemple.test", "changed": ["email"]})
    notification.feed(updated)
    notification.feed(who.registered(version=1))  # late
    assert notification.sql("SELECT email, account_version FROM contacts") == [("nouvelle@exemple.test", 3)]


def test_mail_for_a_merged_account_goes_to_the_account_it_was_merged_into(notification):
    primary, duplicate = person("expert", "Paul"), person("expert", "Paul")
    for who in (primary, duplicate):
        notification.feed(who.registered())
    notification.feed(new_event(service="identity", name="identity.accounts_merged.v1", subject=primary.account_id,
                                data={"account_id": primary.account_id, "account_version": 5, "status": "active",
                                      "merged_account_id": duplicate.account_id, "merged_account_version": 2}))
    notification.feed(billing_event("billing.account_reinstated.v1", duplicate, reinstated_on="2026-08-25",
                                    suspended_on="2026-08-18"))
    assert notification.sql("SELECT recipient_email FROM emails") == [(primary.email,)]


def test_a_removed_participant_is_no_longer_told_of_status_changes(notification, clock):
    expert, lawyer, judge = person("expert", "E"), person("avocat", "L"), person("magistrat", "M")
    for who in (expert, lawyer, judge):
        notification.feed(who.registered())
    case = Case(expert, "HOTEL_INDIA")
    notification.feed(case.created())
    added = case.participant(lawyer, "avocat")
    notification.feed(added)
    notification.feed(case.participant(judge, "magistrat"))
    removed = new_event(service="expertise", name="expertise.participant_removed.v1", subject=case.id,
                        data=added.data | {"expertise_version": case.version + 1, "active": False,
                                           "removed_by": expert.account_id})
    case.version += 1
    notification.feed(removed)
    notification.feed(case.status("en_cours", clock.now))
    told = {row[0] for row in notification.sql("SELECT account_id FROM digest_items")}
    assert told == {expert.account_id, judge.account_id}
    assert notification.sql("SELECT active FROM memberships WHERE account_id = :a", a=lawyer.account_id) == [(False,)]


def test_only_participants_added_by_someone_else_are_told_and_not_the_designator_twice(notification):
    expert, judge, lawyer = person("expert", "E"), person("magistrat", "M"), person("avocat", "L")
    for who in (expert, judge, lawyer):
        notification.feed(who.registered())
    case = Case(expert, "LIMA_MIKE")
    notification.feed(case.created(designated_by=judge))
    notification.feed(case.participant(judge, "magistrat"))  # attached on acceptance: told by designation_accepted
    notification.feed(case.participant(expert, "expert", added_by=expert.account_id))
    notification.feed(case.participant(lawyer, "avocat"))
    assert notification.sql("SELECT recipient_account_id, kind FROM emails") == [(lawyer.account_id,
                                                                                  "participant_added")]
