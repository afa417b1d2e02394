"""Billing suspends an account for unpaid invoices and reinstates it once paid (DESIGN §6.9).

Handlers of ``billing.account_suspended.v1`` / ``billing.account_reinstated.v1``. They need
``data.account_id``; an event older than the last status change applied is stale and dropped
(order is judged by the event's ``time``: billing's aggregate is not the account).
"""

from __future__ import annotations

from scelle_common.events import Event
from scelle_common.messaging import PermanentError
from scelle_identity.domain.accounts import MERGED, apply_suspension
from scelle_identity.service_layer import integration_events as events
from scelle_identity.service_layer.context import Actor, audit_entry, utc_now
from scelle_identity.service_layer.unit_of_work import IdentityUnitOfWork

BILLING = Actor(account_id=None, profile="system")


def apply_billing_status(uow: IdentityUnitOfWork, event: Event, *, suspended: bool) -> None:
    """Suspend or reinstate ``event.data.account_id`` in the consumer's transaction."""
    account_id = event.data.get("account_id")
    if not isinstance(account_id, str) or not account_id:
        raise PermanentError("billing event without account_id")
    account = uow.accounts.get(account_id, for_update=True)
    if account is not None and account.status == MERGED and account.merged_into:
        account = uow.accounts.get(account.merged_into, for_update=True)  # invoices moved with the merge
    if account is None:
        raise PermanentError(f"unknown account {account_id}")
    now = utc_now()
    updated = apply_suspension(account, suspended, event.time)
    action = "account.suspend" if suspended else "account.reinstate"
    if updated is None:
        outcome = "stale"
    else:
        uow.accounts.save(updated, now)
        outcome = "applied" if updated.status != account.status else "unchanged"
        if updated.status != account.status:
            uow.publish(events.account_updated(updated, ["status"], now, causation=event))
    uow.record(audit_entry(BILLING, action, f"account:{account.id}", outcome, now,
                           event_id=event.id, source=event.source))
