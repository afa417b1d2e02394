"""Events the expertise service consumes, by queue purpose (``expertise.<purpose>``).

* ``designations``: ``designation.accepted.v1`` creates the case (once per designation; stale
  designation versions are dropped).
* ``accounts``: ``identity.accounts_merged.v1`` re-points memberships and unread marks;
  ``identity.software_certificate_issued.v1`` gives an invited member its account.
* ``documents``: ``documents.document_deposited.v1`` and ``documents.document_read.v1`` feed the
  unread counters of the workspace.

Each handler adopts the consumer's unit of work, which holds the inbox row: a redelivered event
is acknowledged with no effect.
"""

from __future__ import annotations

from functools import cache

from scelle_common.audit import AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event, SchemaRegistry
from scelle_common.messaging import EventHandlers, Outbox
from scelle_expertise.bootstrap import SERVICE_ROOT
from scelle_expertise.service_layer import inbound
from scelle_expertise.service_layer.context import new_id, utc_now
from scelle_expertise.service_layer.unit_of_work import ExpertiseUnitOfWork

designations = EventHandlers()
accounts = EventHandlers()
documents = EventHandlers()


@cache
def _outbox() -> Outbox:
    return Outbox(SchemaRegistry([SERVICE_ROOT / "contracts" / "events"]))


def _expertise(uow: UnitOfWork) -> ExpertiseUnitOfWork:
    return ExpertiseUnitOfWork.adopt(uow, _outbox(), AuditTrail())


@designations.on("designation.accepted.v1")
def designation_accepted(uow: UnitOfWork, event: Event) -> None:
    inbound.designation_accepted(_expertise(uow), event, utc_now, new_id)


@accounts.on("identity.accounts_merged.v1")
def accounts_merged(uow: UnitOfWork, event: Event) -> None:
    inbound.accounts_merged(_expertise(uow), event, utc_now)


@accounts.on("identity.software_certificate_issued.v1")
def software_certificate_issued(uow: UnitOfWork, event: Event) -> None:
    inbound.software_certificate_issued(_expertise(uow), event, utc_now)


@documents.on("documents.document_deposited.v1")
def document_deposited(uow: UnitOfWork, event: Event) -> None:
    inbound.document_deposited(_expertise(uow), event)


@documents.on("documents.document_read.v1")
def document_read(uow: UnitOfWork, event: Event) -> None:
    inbound.document_read(_expertise(uow), event)


CONSUMERS: dict[str, EventHandlers] = {"designations": designations, "accounts": accounts, "documents": documents}
