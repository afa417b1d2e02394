"""Events the identity service consumes, by queue purpose (``identity.<purpose>``).

``account-status``: billing suspends an account after an unpaid formal notice and reinstates it
once paid (``billing.account_suspended.v1`` / ``billing.account_reinstated.v1``).

``invitations``: the owner expert invited a party member or a non-expert sapiteur
(``expertise.participant_invited.v1``): identity issues the software certificate and mails its
retrieval link.

Handlers run in the consumer's unit of work (its inbox row commits with their effect). What they
need beyond the database (the software CA, the mailer, the clock) comes from the services built
from this process's settings, or from :func:`use_services` (tests).
"""

from __future__ import annotations

from functools import cache

from scelle_common.audit import AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event, SchemaRegistry
from scelle_common.messaging import EventHandlers, Outbox
from scelle_identity.bootstrap import SERVICE_ROOT, build_runtime, build_services
from scelle_identity.service_layer.context import Services
from scelle_identity.service_layer.software_certificates import issue_for_invitation
from scelle_identity.service_layer.suspension import apply_billing_status
from scelle_identity.service_layer.unit_of_work import IdentityUnitOfWork

account_status = EventHandlers()
invitations = EventHandlers()
_configured: list[Services] = []


def use_services(services: Services | None) -> None:
    """Make the handlers use ``services`` (``None``: back to building them from the environment)."""
    _configured.clear()
    if services is not None:
        _configured.append(services)


@cache
def _from_environment() -> Services:
    return build_services(build_runtime())


def _services() -> Services:
    return _configured[0] if _configured else _from_environment()


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


@invitations.on("expertise.participant_invited.v1")
def participant_invited(uow: UnitOfWork, event: Event) -> None:
    issue_for_invitation(_services(), _identity(uow), event)


CONSUMERS: dict[str, EventHandlers] = {"account-status": account_status, "invitations": invitations}
