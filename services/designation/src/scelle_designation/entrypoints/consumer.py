"""Events the designation service consumes, by queue purpose (``designation.<purpose>``).

* ``documents``: ``documents.document_deposited.v1`` and ``documents.document_locked.v1`` for
  folders ``designation/<id>/demande`` and ``/reponse`` tell the designation which files its
  dossier holds (≥ 1 request file to send, ≥ 1 response file to refuse).
* ``accounts``: ``identity.account_registered/updated.v1`` keep the directory (an expert must be an
  active expert; names come from it); ``identity.accounts_merged.v1`` moves designations to the
  kept account.

Each handler adopts the consumer's unit of work, which holds the inbox row: a redelivered event
is acknowledged with no effect.
"""

from __future__ import annotations

from functools import cache

from scelle_common.audit import AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event, SchemaRegistry
from scelle_common.messaging import EventHandlers, Outbox
from scelle_designation.bootstrap import SERVICE_ROOT
from scelle_designation.service_layer import inbound
from scelle_designation.service_layer.context import utc_now
from scelle_designation.service_layer.unit_of_work import DesignationUnitOfWork

documents = EventHandlers()
accounts = EventHandlers()


@cache
def _outbox() -> Outbox:
    return Outbox(SchemaRegistry([SERVICE_ROOT / "contracts" / "events"]))


def _designation(uow: UnitOfWork) -> DesignationUnitOfWork:
    return DesignationUnitOfWork.adopt(uow, _outbox(), AuditTrail())


@documents.on("documents.document_deposited.v1")
def document_deposited(uow: UnitOfWork, event: Event) -> None:
    inbound.document_deposited(_designation(uow), event, utc_now())


@documents.on("documents.document_locked.v1")
def document_locked(uow: UnitOfWork, event: Event) -> None:
    inbound.document_locked(_designation(uow), event, utc_now())


@accounts.on("identity.account_registered.v1")
def account_registered(uow: UnitOfWork, event: Event) -> None:
    inbound.account_announced(_designation(uow), event, utc_now())


@accounts.on("identity.account_updated.v1")
def account_updated(uow: UnitOfWork, event: Event) -> None:
    inbound.account_announced(_designation(uow), event, utc_now())


@accounts.on("identity.accounts_merged.v1")
def accounts_merged(uow: UnitOfWork, event: Event) -> None:
    inbound.accounts_merged(_designation(uow), event, utc_now())


CONSUMERS: dict[str, EventHandlers] = {"documents": documents, "accounts": accounts}
