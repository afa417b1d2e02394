"""Events the notification service consumes, by queue purpose (``notification.<purpose>``).

One queue, ``notification.events``, so that what identity and expertise say about people arrives
in order with the events that mail them:

* contact read model: ``identity.account_registered/updated.v1``, ``identity.accounts_merged.v1``,
  ``expertise.created/renamed/details_updated/consignation_recorded/deadline_changed.v1``,
  ``expertise.participant_added/updated/removed/invited.v1`` (added and invited people are mailed);
* digest activity: ``expertise.status_changed.v1`` (told to the active members),
  ``documents.document_deposited.v1`` (told to its ``audience``);
* immediate mails: ``designation.*``, ``identity.certificate_expiring.v1``,
  ``documents.read_reminder_requested.v1``, ``billing.invoice_issued/formal_notice_sent/
  account_suspended/account_reinstated/tariff_announced.v1``.

Each handler adopts the consumer's unit of work (which holds the inbox row) and acts only
through it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from scelle_common.audit import AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event, SchemaRegistry
from scelle_common.messaging import EventHandlers, Outbox
from scelle_notification.bootstrap import SERVICE_ROOT
from scelle_notification.domain.mails import PLANNERS
from scelle_notification.service_layer import handlers
from scelle_notification.service_layer.context import Clock, utc_now
from scelle_notification.service_layer.unit_of_work import NotificationUnitOfWork



@cache
def _outbox() -> Outbox:
    return Outbox(SchemaRegistry([SERVICE_ROOT / "contracts" / "events"]))


Handler = Callable[[NotificationUnitOfWork, Event, Clock], object]


def _adopted(handler: Handler, clock: Clock) -> Callable[[UnitOfWork, Event], None]:
    def handle(uow: UnitOfWork, event: Event) -> None:
        handler(NotificationUnitOfWork.adopt(uow, _outbox(), AuditTrail()), event, clock)
    handle.__name__ = getattr(handler, "__name__", "handle")
    return handle


READ_MODEL: dict[str, Handler] = {
    "identity.account_registered.v1": handlers.account_changed,
    "identity.account_updated.v1": handlers.account_changed,
    "identity.accounts_merged.v1": handlers.accounts_merged,
    "expertise.created.v1": handlers.expertise_changed,
    "expertise.renamed.v1": handlers.expertise_changed,
    "expertise.details_updated.v1": handlers.expertise_changed,
    "expertise.consignation_recorded.v1": handlers.expertise_changed,
    "expertise.deadline_changed.v1": handlers.expertise_changed,
    "expertise.participant_added.v1": handlers.participant_changed,
    "expertise.participant_updated.v1": handlers.participant_changed,
    "expertise.participant_removed.v1": handlers.participant_changed,
    "expertise.participant_invited.v1": handlers.participant_changed,
    "expertise.status_changed.v1": handlers.status_changed,
    "documents.document_deposited.v1": handlers.document_deposited,
}


def build_consumers(clock: Clock = utc_now) -> dict[str, EventHandlers]:
    """The handlers by queue purpose; ``clock`` stamps queued mails and recorded activity."""
    events = EventHandlers()
    for name, handler in READ_MODEL.items():
        events.on(name)(_adopted(handler, clock))
    for name in PLANNERS:
        if name not in READ_MODEL:
            events.on(name)(_adopted(handlers.plan_and_queue, clock))
    return {"events": events}


CONSUMERS: dict[str, EventHandlers] = build_consumers()
