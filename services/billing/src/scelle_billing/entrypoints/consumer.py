"""Events the billing service consumes, by queue purpose (``billing.<purpose>``).

* ``expertises``: ``expertise.created.v1`` (owner), ``expertise.status_changed.v1`` (t₀, frozen
  tariff, reservation and opening; stale status versions dropped), ``expertise.party_added.v1``.
* ``certificates``: ``identity.software_certificate_issued.v1`` (one line per certificate issued
  for an expertise).
* ``documents``: ``documents.document_deposited.v1`` (the first final report).
* ``accounts``: ``identity.accounts_merged.v1`` (files, invoices and dunning move to the survivor).

Each handler adopts the consumer's unit of work, which holds the inbox row: a redelivered event is
acknowledged with no effect.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from scelle_common.audit import AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event, SchemaRegistry
from scelle_common.messaging import EventHandlers, Outbox
from scelle_billing.adapters.reference_data import load_reference_data
from scelle_billing.bootstrap import SERVICE_ROOT
from scelle_billing.service_layer import accruals
from scelle_billing.service_layer.context import Services, new_id, utc_now
from scelle_billing.service_layer.unit_of_work import BillingUnitOfWork

expertises = EventHandlers()
certificates = EventHandlers()
documents = EventHandlers()
accounts = EventHandlers()


@cache
def _outbox() -> Outbox:
    return Outbox(SchemaRegistry([SERVICE_ROOT / "contracts" / "events"]))


@cache
def _reference() -> Services:
    tariffs, rates = load_reference_data()

    def no_standalone_unit() -> BillingUnitOfWork:
        raise RuntimeError("consumer handlers work in the consumer's unit of work")

    return Services(unit_of_work=no_standalone_unit, tariffs=tariffs, rates=rates, clock=utc_now, new_id=new_id)


def _adopted(handler: Callable[[BillingUnitOfWork, Services, Event], None]) -> Callable[[UnitOfWork, Event], None]:
    def handle(uow: UnitOfWork, event: Event) -> None:
        handler(BillingUnitOfWork.adopt(uow, _outbox(), AuditTrail()), _reference(), event)
    handle.__name__ = handler.__name__
    return handle


expertises.on("expertise.created.v1")(_adopted(accruals.expertise_created))
expertises.on("expertise.status_changed.v1")(_adopted(accruals.status_changed))
expertises.on("expertise.party_added.v1")(_adopted(accruals.party_added))
certificates.on("identity.software_certificate_issued.v1")(_adopted(accruals.software_certificate_issued))
documents.on("documents.document_deposited.v1")(_adopted(accruals.document_deposited))
accounts.on("identity.accounts_merged.v1")(_adopted(accruals.accounts_merged))

CONSUMERS: dict[str, EventHandlers] = {"expertises": expertises, "certificates": certificates,
                                       "documents": documents, "accounts": accounts}
