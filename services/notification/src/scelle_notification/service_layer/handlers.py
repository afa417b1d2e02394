"""Consumer use cases: keep the contact read model, record activity for digests, queue mails.

Every handler runs in the consumer's unit of work, which holds the inbox row: a redelivered event
is acknowledged with no effect, and the unique (cause, recipient) key of the mail queue is the
second guard should an event ever come back under the same id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from scelle_common.events import Event
from scelle_notification.domain import mails
from scelle_notification.domain.model import Contact
from scelle_notification.service_layer.context import Clock, new_id, utc_now
from scelle_notification.service_layer.unit_of_work import NotificationUnitOfWork


def queue_mails(uow: NotificationUnitOfWork, event: Event, requests: Sequence[mails.MailRequest],
                now: datetime) -> int:
    """One pending row per (event, recipient); rendered by the sender at its first attempt."""
    rows = [{
        "id": new_id(), "dedup_key": event.id, "recipient_key": request.recipient_key,
        "recipient_account_id": request.account_id, "recipient_email": request.email,
        "recipient_name": request.name or None, "kind": request.kind, "context": dict(request.context),
        "status": "pending", "attempts": 0, "next_attempt_at": now, "cause_event_id": event.id,
        "expertise_id": request.expertise_id, "created_at": now,
    } for request in {r.recipient_key: r for r in requests}.values()]
    return uow.emails.enqueue(rows)


class _Directory:
    """The read model as the planner sees it."""

    def __init__(self, uow: NotificationUnitOfWork) -> None:
        self._uow = uow

    def contact(self, account_id: str) -> Contact | None:
        return self._uow.contacts.contact(account_id)

    def active_experts(self) -> list[Contact]:
        return self._uow.contacts.active_experts()

    def designator_of(self, expertise_id: str) -> str | None:
        return self._uow.expertises.designator_of(expertise_id)


def plan_and_queue(uow: NotificationUnitOfWork, event: Event, clock: Clock = utc_now) -> int:
    return queue_mails(uow, event, mails.plan(event.name, event.data, _Directory(uow)), clock())


# -- contact read model ---------------------------------------------------------------------------

def account_changed(uow: NotificationUnitOfWork, event: Event, clock: Clock = utc_now) -> None:
    uow.contacts.save_account(event.data, event.time)


def accounts_merged(uow: NotificationUnitOfWork, event: Event, clock: Clock = utc_now) -> None:
    data = event.data
    uow.contacts.merge(data["merged_account_id"], data["account_id"],
                       int(data.get("merged_account_version") or data.get("account_version") or 0), event.time)


def expertise_changed(uow: NotificationUnitOfWork, event: Event, clock: Clock = utc_now) -> None:
    uow.expertises.save(event.data, event.time, owner=event.data.get("owner_account_id"),
                        designated_by=event.data.get("designated_by_account_id"))


def participant_changed(uow: NotificationUnitOfWork, event: Event, clock: Clock = utc_now) -> None:
    """Added, updated, invited or removed: the membership as it now stands; added and invited people
    are told (the planner decides who)."""
    removed = event.name.startswith("expertise.participant_removed")
    uow.expertises.save(event.data, event.time)
    uow.expertises.save_participant(event.data, event.time, active=False if removed else None)
    plan_and_queue(uow, event, clock)


# -- activity for the digest ----------------------------------------------------------------------

def status_changed(uow: NotificationUnitOfWork, event: Event, clock: Clock = utc_now) -> None:
    data = event.data
    uow.expertises.save(data, event.time)
    uow.activities.record(
        event_id=event.id, kind="status", expertise_id=data["expertise_id"], expertise_name=data.get("display_name"),
        occurred_at=_instant(data.get("changed_at")) or event.time, recorded_at=clock(),
        details={"from_status": data.get("from_status"), "to_status": data.get("to_status") or data.get("status"),
                 "reason": data.get("reason")},
        audience=uow.expertises.members_to_tell(data["expertise_id"]))


def document_deposited(uow: NotificationUnitOfWork, event: Event, clock: Clock = utc_now) -> None:
    """A deposit in an expertise is told to its ``audience`` (who could read it when it was
    deposited); deposits in a designation dossier are the designation mails' business."""
    data = event.data
    expertise_id = data.get("expertise_id")
    if not expertise_id:
        return
    folder = data.get("folder") or {}
    depositor = data.get("depositor_account_id")
    contact = uow.contacts.contact(depositor) if depositor else None
    uow.activities.record(
        event_id=event.id, kind="deposit", expertise_id=expertise_id,
        expertise_name=data.get("expertise_display_name") or uow.expertises.name(expertise_id),
        occurred_at=_instant(data.get("deposited_at")) or event.time, recorded_at=clock(),
        details={"document_id": data.get("document_id"), "file_name": data.get("file_name"),
                 "folder_path": folder.get("path"), "folder_label": folder.get("label") or folder.get("path"),
                 "depositor_account_id": depositor, "depositor_role": data.get("depositor_role"),
                 "depositor_name": (contact.display_name if contact else None)
                 or (uow.expertises.member_name(expertise_id, depositor) if depositor else None) or ""},
        audience=data.get("audience") or [])


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
