"""What every billing use case receives: unit of work, clock, ids, reference data, the caller."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scelle_common.audit import audit_entry
from scelle_billing.domain.rates import RateTable
from scelle_billing.domain.tariffs import TariffBook
from scelle_billing.service_layer.unit_of_work import BillingUnitOfWork

Clock = Callable[[], datetime]
OPERATOR = "operateur"


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """The one way the billing service makes ids (lines, invoices, payments)."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Actor:
    """Who acts: the verified principal, or the billing service itself (daily run, consumers)."""

    account_id: str | None
    profile: str
    fingerprint: str | None = None
    serial: str | None = None
    client_ip: str | None = None

    @property
    def id(self) -> str:
        return self.account_id or ""

    @property
    def is_operator(self) -> bool:
        return self.profile == OPERATOR


def system_actor(source: str) -> Actor:
    return Actor(account_id=None, profile=f"system:{source}")


@dataclass
class Services:
    """The use cases' dependencies (built by ``bootstrap``)."""

    unit_of_work: Callable[[], BillingUnitOfWork]
    tariffs: TariffBook
    rates: RateTable
    clock: Clock = utc_now
    new_id: Callable[[], str] = new_id

