"""Composition root of the designation service: settings → runtime → the use cases' dependencies."""

from __future__ import annotations

from pathlib import Path

from scelle_common.config import load_settings
from scelle_common.runtime import ServiceRuntime
from scelle_designation.config import Settings
from scelle_designation.service_layer.context import Clock, Services, new_id, utc_now
from scelle_designation.service_layer.unit_of_work import DesignationUnitOfWork

SERVICE = "designation"
SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    """Everything the designation processes need, from the environment unless ``settings`` is given."""
    return ServiceRuntime.build(SERVICE, SERVICE_ROOT, settings or load_settings(Settings))


def build_services(runtime: ServiceRuntime, *, clock: Clock = utc_now) -> Services:
    """The use cases' dependencies on this runtime's database, outbox and audit chain."""
    return Services(
        unit_of_work=lambda: DesignationUnitOfWork(runtime.session_factory, runtime.outbox, runtime.audit),
        clock=clock,
        new_id=new_id,
    )
