"""Composition root of the billing service: settings → runtime, reference data, clock → use cases."""

from __future__ import annotations

from pathlib import Path

from scelle_common.config import load_settings
from scelle_common.runtime import ServiceRuntime
from scelle_billing.config import Settings
from scelle_billing.adapters.reference_data import load_reference_data
from scelle_billing.service_layer.context import Clock, Services, new_id, utc_now
from scelle_billing.service_layer.unit_of_work import BillingUnitOfWork

SERVICE = "billing"
SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    """Everything the billing processes need, from the environment unless ``settings`` is given."""
    return ServiceRuntime.build(SERVICE, SERVICE_ROOT, settings or load_settings(Settings))



def build_services(runtime: ServiceRuntime, *, clock: Clock = utc_now) -> Services:
    """The use cases' dependencies on this runtime's database, outbox and audit chain, with the
    reference data loaded and validated (a bad tariff or rate file stops the process here)."""
    tariffs, rates = load_reference_data()
    return Services(
        unit_of_work=lambda: BillingUnitOfWork(runtime.session_factory, runtime.outbox, runtime.audit),
        tariffs=tariffs, rates=rates, clock=clock, new_id=new_id)


__all__ = ["SERVICE", "SERVICE_ROOT", "build_runtime", "build_services", "load_reference_data"]
