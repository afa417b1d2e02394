"""Events the identity service consumes, by queue purpose (``identity.<purpose>``).

``account-status``: billing suspends an account after an unpaid formal notice and reinstates it
once paid (``billing.account_suspended.v1`` / ``billing.account_reinstated.v1``).
"""

from __future__ import annotations

from functools import cache

from scelle_common.audit import AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event, SchemaRegistry
from scelle_common.messaging import EventHandlers, Outbox
from scelle_identity.bootstrap import SERVICE_ROOT
from scelle_identity.service_layer.suspension import apply_billing_status
from scelle_identity.service_layer.unit_of_work import IdentityUnitOfWork

account_status = EventHandlers()


@cache
def _outbox() -> Outbox:
    return Outbox(SchemaRegistry([SERVICE_ROOT / "contracts" / "events"]))


def _identity(uow: UnitOfWork) -> IdentityUnitOfWork:
    return IdentityUnitOfWork.adopt(uow, _outbox(), AuditTrail())


@account_status.on("billing.account_suspended.v1")
def account_suspended(uow: UnitOfWork, event: Event) -> None:
    apply_billing_status(_identity(uow), event, suspended=True)


@account_status.on("billing.account_reinstated.v1")
def account_reinstated(uow: UnitOfWork, event: Event) -> None:
    apply_billing_status(_identity(uow), event, suspended=False)


CONSUMERS: dict[str, EventHandlers] = {"account-status": account_status}
