"""Composition root of the billing service: settings → runtime, reference data, clock → use cases."""

from __future__ import annotations

from pathlib import Path

from scelle_common.config import load_settings
from scelle_common.runtime import ServiceRuntime
from scelle_billing.config import Settings
from scelle_billing.domain.rates import RateTable, load_rate_table
from scelle_billing.domain.tariffs import TariffBook, load_tariff_book

SERVICE = "billing"
SERVICE_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(__file__).resolve().parent / "data"


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    """Everything the billing processes need, from the environment unless ``settings`` is given."""
    return ServiceRuntime.build(SERVICE, SERVICE_ROOT, settings or load_settings(Settings))


def load_reference_data(data_dir: Path = DATA_DIR) -> tuple[TariffBook, RateTable]:
    """Tariffs and legal rates, validated (a bad file stops the process at start)."""
    return load_tariff_book(data_dir / "tariffs.csv"), load_rate_table(data_dir / "legal-interest-rates.csv")
