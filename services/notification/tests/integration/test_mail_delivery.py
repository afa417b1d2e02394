"""Immediate mails through the real consumer and the real SMTP server: once per event and recipient,
delayed (never lost) by an outage, permanent refusals recorded and published."""

from __future__ import annotations

import collections
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from scelle_common.events import new_event, serialize_event
from scelle_common.messaging import Outcome
from scelle_common.testing.servers import free_port

from .conftest import Case, billing_event, mailer_for, person


def immediate_events(expert, judge):  # noqa: ANN001, ANN201
    designation = {"designation_id": str(uuid.uuid4()), "designation_version": 3,
                   "designator_account_id": judge.account_id, "expert_account_id": expert.account_id,
                   "document_count": 1}
    case = Case(expert, "POITOU_HARTMANN_TJ BORDEAUX_22-03700")
    return [
        new_event(service="designation", name="designation.created.v1", subject=designation["designation_id"],
                  data=designation),
        new_event(service="designation", name="designation.accepted.v1", subject=designation["designation_id"],
                  data=designation | {"designation_version": 4}),
        billing_event("billing.invoice_issued.v1", expert, invoice_id=str(uuid.uuid4()), invoice_number="2026-000042",
                      issued_on="2026-06-03", due_on="2026-07-03", total_ht_cents=8500, total_ttc_cents=10200),
        new_event(service="identity", name="identity.certificate_expiring.v1", subject=judge.account_id, data={
            "account_id": judge.account_id, "account_version": 2, "days_left": 30, "threshold_days": 30,
            "not_after": "2027-01-02T00:00:00Z", "certificate_serial": "ab12", "software": False}),
        new_event(service="documents", name="documents.read_reminder_requested.v1", subject=case.id, data={
            "expertise_id": case.id, "document_id": str(uuid.uuid4()), "file_name": "note.pdf",
            "folder": {"path": "expert/notes-aux-parties", "label": "Expert / Notes aux parties"},
            "account_ids": [judge.account_id, expert.account_id], "requested_by": expert.account_id,
            "expertise_display_name": case.name}),
    ]


def by_recipient_and_subject(smtp_capture) -> collections.Counter:  # noqa: ANN001
    return collections.Counter((mail.recipients[0], str(mail.message["Subject"])) for mail in smtp_capture.messages())


def test_each_immediate_mail_is_received_once_even_when_its_event_is_delivered_twice(notification, smtp_capture):
    expert, judge = person("expert", "Hélène"), person("magistrat", "François")
    for who in (expert, judge):
        assert notification.feed(who.registered()) is Outcome.ACK
    events = immediate_events(expert, judge)
    for event in events:
        assert notification.feed(event) is Outcome.ACK
        assert notification.feed(event) is Outcome.ACK  # redelivered: the inbox drops it
    # Even past the inbox (another consumer queue replaying the same event), the queue's unique
    # (event, recipient) key keeps one mail.
    other = notification.consumer("replayed")
    for event in events:
        assert other.handle(serialize_event(event)) is Outcome.ACK
    assert notification.sql("SELECT count(*) FROM emails")[0][0] == 6

    report = notification.deliver(mailer_for(smtp_capture.host, smtp_capture.port))
    assert (report.sent, report.retried, report.failed) == (6, 0, 0)
    assert notification.deliver(mailer_for(smtp_capture.host, smtp_capture.port)).claimed == 0

    received = by_recipient_and_subject(smtp_capture)
    assert set(received.values()) == {1}
    assert sorted(received) == sorted([
        (expert.email, "[Scellé] Nouvelle désignation à confirmer"),
        (judge.email, "[Scellé] L'expert a accepté la désignation"),
        (expert.email, "[Scellé] Facture n° 2026-000042"),
        (judge.email, "[Scellé] Votre certificat expire dans 30 jours"),
        (judge.email, "[Scellé] Document à consulter dans l'expertise POITOU_HARTMANN_TJ BORDEAUX_22-03700"),
        (expert.email, "[Scellé] Document à consulter dans l'expertise POITOU_HARTMANN_TJ BORDEAUX_22-03700"),
    ])
    invoice = next(m.message for m in smtp_capture.messages() if "Facture" in str(m.message["Subject"]))
    assert invoice.get_content_type() == "multipart/alternative"
    text = invoice.get_body(("plain",)).get_content()
    html = invoice.get_body(("html",)).get_content()
    assert f"Bonjour Hélène {expert.surname.upper()}," in text and "102,00" in text
    assert "https://scelle.test/factures/" in html
    assert notification.sql("SELECT DISTINCT status FROM emails") == [("sent",)]


def test_an_smtp_outage_delays_mail_and_nothing_is_lost_when_the_server_returns(notification, smtp_capture, clock):
    people = [person("expert", f"Expert{i}") for i in range(3)]
    for who in people:
        notification.feed(who.registered())
        notification.feed(billing_event("billing.account_suspended.v1", who, suspended_on="2026-08-18",
                                        amount_due_cents=14290, invoices=[]))
    smtp_capture.stop()  # the server goes away
    down = mailer_for("127.0.0.1", free_port())
    report = notification.deliver(down)
    assert (report.sent, report.retried, report.failed) == (0, 3, 0)
    assert notification.deliver(down).claimed == 0  # backing off: not due again yet
    clock.advance(seconds=31)
    assert notification.deliver(down).retried == 3
    assert notification.sql("SELECT DISTINCT status, attempts FROM emails") == [("pending", 2)]

    smtp_capture.start()  # back, on a new port
    clock.advance(seconds=30)
    assert notification.deliver(mailer_for(smtp_capture.host, smtp_capture.port)).claimed == 0  # 60 s wait
    clock.advance(seconds=31)
    report = notification.deliver(mailer_for(smtp_capture.host, smtp_capture.port))
    assert (report.sent, report.retried, report.failed) == (3, 0, 0)
    assert sorted(m.recipients[0] for m in smtp_capture.messages()) == sorted(p.email for p in people)
    assert notification.sql("SELECT DISTINCT status, attempts FROM emails") == [("sent", 3)]


class PickyServer:
    """An SMTP server that refuses some mailboxes for good (550) and others once (451)."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.deferred: set[str] = set()

    async def handle_RCPT(self, _server: Any, _session: Any, envelope: Any, address: str,  # noqa: N802
                          _options: Any) -> str:
        if address.startswith("inconnu"):
            return "550 5.1.1 Mailbox unavailable"
        if address.startswith("occupe") and address not in self.deferred:
            self.deferred.add(address)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.extend(envelope.rcpt_tos)
        return "250 Message accepted"


@pytest.fixture
def picky() -> Iterator[tuple[PickyServer, int]]:
    server, port = PickyServer(), free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    yield server, port
    controller.stop()


def test_a_permanent_refusal_is_recorded_and_published_a_temporary_one_is_retried(notification, picky, clock):
    server, port = picky
    unknown, busy = person("expert", "Inconnu"), person("expert", "Occupe")
    for who in (unknown, busy):
        notification.feed(who.registered())
        notification.feed(billing_event("billing.account_reinstated.v1", who, reinstated_on="2026-08-25",
                                        suspended_on="2026-08-18"))
    report = notification.deliver(mailer_for("127.0.0.1", port))
    assert (report.sent, report.retried, report.failed) == (0, 1, 1)
    rows = dict(notification.sql("SELECT recipient_account_id, status || ':' || smtp_code FROM emails"))
    assert rows == {unknown.account_id: "failed:550", busy.account_id: "pending:451"}
    [failed] = notification.published("notification.email_failed.v1")
    assert failed.data["recipient_account_id"] == unknown.account_id and failed.data["smtp_code"] == 550
    assert failed.data["kind"] == "account_reinstated"

    clock.advance(seconds=31)
    assert notification.deliver(mailer_for("127.0.0.1", port)).sent == 1
    assert server.received == [busy.email]
    assert len(notification.published("notification.email_failed.v1")) == 1


def test_mail_waits_for_an_address_and_goes_out_once_identity_has_told_us(notification, smtp_capture, clock):
    stranger = person("expert", "Tardif")
    notification.feed(billing_event("billing.account_reinstated.v1", stranger, reinstated_on="2026-08-25",
                                    suspended_on="2026-08-18"))
    assert notification.deliver(mailer_for(smtp_capture.host, smtp_capture.port)).retried == 1
    notification.feed(stranger.registered())
    clock.advance(seconds=31)
    assert notification.deliver(mailer_for(smtp_capture.host, smtp_capture.port)).sent == 1
    [mail] = smtp_capture.messages()
    assert mail.recipients == [stranger.email]
    assert f"Bonjour Tardif {stranger.surname.upper()}," in mail.message.get_body(("plain",)).get_content()


def test_an_invitee_without_an_account_is_invited_once_at_the_address_the_expert_gave(notification, smtp_capture):
    expert = person("expert", "Hélène")
    notification.feed(expert.registered())
    case = Case(expert, "NOVEMBER_OSCAR")
    notification.feed(case.created())
    invited = new_event(service="expertise", name="expertise.participant_invited.v1", subject=case.id, data={
        "expertise_id": case.id, "display_name": case.name, "status": "en_cours", "expertise_version": 2,
        "participant_id": str(uuid.uuid4()), "account_id": None, "email": "jean.martin@exemple.test",
        "given_name": "Jean", "surname": "Martin", "role": "partie_lectrice", "party_ids": [], "active": True,
        "invitation_pending": True, "profile": "partie", "invited_by": expert.account_id})
    for _ in range(2):
        notification.feed(invited)
    assert notification.deliver(mailer_for(smtp_capture.host, smtp_capture.port)).sent == 1
    [mail] = smtp_capture.messages()
    assert mail.recipients == ["jean.martin@exemple.test"]
    assert str(mail.message["Subject"]) == "[Scellé] Invitation à l'expertise NOVEMBER_OSCAR"
    text = mail.message.get_body(("plain",)).get_content()
    assert "Bonjour Jean MARTIN," in text and "partie non autorisée à publier" in text
    assert f"Hélène {expert.surname.upper()} vous invite" in text and "certificat logiciel" in text
