"""Composition root of the billing service: settings → runtime, reference data, clock → use cases."""

from __future__ import annotations

from pathlib import Path

from scelle_common.config import load_settings
from scelle_common.runtime import ServiceRuntime
from scelle_billing.config import Settings
from scelle_billing.adapters.reference_data import load_reference_data

SERVICE = "billing"
SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    """Everything the billing processes need, from the environment unless ``settings`` is given."""
    return ServiceRuntime.build(SERVICE, SERVICE_ROOT, settings or load_settings(Settings))



__all__ = ["SERVICE", "SERVICE_ROOT", "build_runtime", "load_reference_data"]
