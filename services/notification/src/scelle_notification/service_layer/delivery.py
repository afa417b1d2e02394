"""Delivery: lease due mails, render them once, hand them to SMTP, record what happened.

A mail is leased (``lease_until``) before it is sent, so parallel senders never take the same row
and a sender that dies mid-batch leaves its rows to be taken again when the lease ends. Each
outcome is committed on its own: what was sent stays sent. Temporary failures (4xx, no answer)
wait with exponential backoff; permanent ones (5xx, or too many temporary ones) are recorded and
published as ``notification.email_failed.v1``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from scelle_common.logging import get_logger
from scelle_notification.domain.retry import Failure, classify
from scelle_notification.service_layer import integration_events
from scelle_notification.service_layer.context import Services
from scelle_notification.service_layer.ports import DeliveryError, Mailer, MailSession, OutgoingMail

log = get_logger(__name__)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def deliver_due(services: Services, mailer: Mailer) -> DeliveryReport:
    """One batch: the mails due now, through one SMTP connection."""
    now = services.clock()
    with services.unit_of_work() as uow:
        rows = uow.emails.claim_due(now, services.send_batch_size,
                                    now + timedelta(seconds=services.send_lease_seconds))
        uow.commit()
    report = DeliveryReport(claimed=len(rows))
    if not rows:
        return report
    try:
        with mailer.connect() as session:
            for row in rows:
                _deliver(services, session, row._mapping, report)
    except DeliveryError as exc:  # the server cannot be reached: every mail of the batch waits
        for row in rows:
            if _still_leased(services, row.id):
                _failed(services, row._mapping, exc, report)
    return report


def _still_leased(services: Services, email_id: str) -> bool:
    with services.unit_of_work() as uow:
        current = uow.emails.get(email_id)
    return current is not None and current["status"] == "pending" and current["lease_until"] is not None


def _deliver(services: Services, session: MailSession, row: Any, report: DeliveryReport) -> None:
    with services.unit_of_work() as uow:
        contact = uow.contacts.contact(row["recipient_account_id"]) if row["recipient_account_id"] else None
        address = (contact.email if contact else None) or row["recipient_email"]
        if not address:  # identity has not told us yet: wait like a temporary failure
            _record_failure(uow, services, row, DeliveryError(None, "adresse électronique inconnue"), report)
            uow.commit()
            return
        subject, text, html = row["subject"], row["text_body"], row["html_body"]
        if subject is None:
            name = row["recipient_name"] or (contact.display_name if contact else "")
            try:
                rendered = services.renderer.render(row["kind"], name, row["context"] or {})
            except Exception as exc:  # noqa: BLE001 - a template that cannot render never will
                log.error("email.render_failed", email_id=row["id"], kind=row["kind"], error=type(exc).__name__)
                _record_failure(uow, services, row, DeliveryError(None, f"rendu impossible ({type(exc).__name__})"),
                                report, permanent=True)
                uow.commit()
                return
            subject, text, html = rendered.subject, rendered.text, rendered.html
            uow.emails.save_rendering(row["id"], subject, text, html)
        try:
            message_id = session.send(OutgoingMail(row["id"], address, subject, text, html))
        except DeliveryError as exc:
            _record_failure(uow, services, row, exc, report)
            uow.commit()
            return
        uow.emails.mark_sent(row["id"], address, message_id, services.clock())
        uow.commit()
        report.sent += 1
        log.info("email.sent", email_id=row["id"], kind=row["kind"], account_id=row["recipient_account_id"])


def _failed(services: Services, row: Any, error: DeliveryError, report: DeliveryReport) -> None:
    with services.unit_of_work() as uow:
        _record_failure(uow, services, row, error, report)
        uow.commit()


def _record_failure(uow: Any, services: Services, row: Any, error: DeliveryError, report: DeliveryReport,
                    permanent: bool = False) -> None:
    now: datetime = services.clock()
    attempts = int(row["attempts"]) + 1
    refused_for_good = not error.about_us and classify(error.smtp_code) is Failure.PERMANENT
    if permanent or refused_for_good or services.retry.gives_up(attempts):
        uow.emails.mark_failed(row["id"], attempts, error.detail, error.smtp_code, now)
        uow.publish(integration_events.email_failed(row, attempts, error.detail, error.smtp_code, now))
        report.failed += 1
        log.warning("email.failed", email_id=row["id"], kind=row["kind"], smtp_code=error.smtp_code,
                    attempts=attempts)
        return
    uow.emails.mark_retry(row["id"], attempts, now + services.retry.delay(attempts), error.detail, error.smtp_code)
    report.retried += 1
    log.info("email.retry_later", email_id=row["id"], smtp_code=error.smtp_code, attempts=attempts)


def run_sender(services: Services, mailer: Mailer, stop: threading.Event, idle_seconds: float = 2.0) -> None:
    """Deliver until ``stop`` is set; waits ``idle_seconds`` whenever nothing is due."""
    while not stop.is_set():
        try:
            report = deliver_due(services, mailer)
        except Exception as exc:  # noqa: BLE001 - the database may blink; the loop must survive it
            log.error("sender.batch_failed", error=type(exc).__name__)
            stop.wait(idle_seconds)
            continue
        if report.claimed < services.send_batch_size:
            stop.wait(idle_seconds)
