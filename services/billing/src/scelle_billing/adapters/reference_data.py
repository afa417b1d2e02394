"""Reads the reference data files shipped in ``scelle_billing/data`` (see ``data/SOURCES.md``)."""

from __future__ import annotations

import csv
from pathlib import Path

from scelle_billing.domain.rates import RateTable, rate_table
from scelle_billing.domain.tariffs import TariffBook, tariff_book

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def load_tariff_book(path: Path) -> TariffBook:
    with path.open(encoding="utf-8", newline="") as handle:
        return tariff_book(csv.DictReader(handle))


def load_rate_table(path: Path) -> RateTable:
    with path.open(encoding="utf-8", newline="") as handle:
        return rate_table(csv.DictReader(handle))


def load_reference_data(data_dir: Path = DATA_DIR) -> tuple[TariffBook, RateTable]:
    """Tariffs and legal rates, validated: a bad file stops the process when it starts."""
    return load_tariff_book(data_dir / "tariffs.csv"), load_rate_table(data_dir / "legal-interest-rates.csv")
