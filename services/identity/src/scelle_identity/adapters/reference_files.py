"""The versioned reference data shipped in ``scelle_identity/data`` (see its README)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.abc import Traversable

from scelle_identity.domain.cgu import CguVersion
from scelle_identity.domain.reference import (
    Court,
    Nomenclature,
    ReferenceDataError,
    courts_from_rows,
    nomenclature_from_rows,
)

DATA = resources.files("scelle_identity") / "data"


@dataclass(frozen=True)
class ReferenceData:
    courts: list[Court]
    nomenclatures: list[Nomenclature]
    current_nomenclature: str
    cgu_versions: list[CguVersion]


def _rows(path: Traversable) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def load_reference_data(data: Traversable = DATA) -> ReferenceData:
    """Read and validate every reference file; :class:`ReferenceDataError` names the first fault."""
    courts = courts_from_rows(_rows(data / "cours-appel.csv"))
    nomenclatures, current = [], []
    for row in _rows(data / "nomenclatures.csv"):
        nomenclatures.append(nomenclature_from_rows(row["version"], row["label"], _rows(data / row["file"])))
        if row["current"].strip().lower() == "true":
            current.append(row["version"])
    if len(current) != 1:
        raise ReferenceDataError("nomenclatures.csv must mark exactly one version current")
    cgu = []
    for row in _rows(data / "cgu" / "versions.csv"):
        effective = datetime.fromisoformat(row["effective_at"])
        body = (data / "cgu" / row["file"]).read_text(encoding="utf-8")
        cgu.append(CguVersion(row["version"], row["title"], body, effective, effective))
    if not cgu:
        raise ReferenceDataError("cgu/versions.csv lists no version")
    return ReferenceData(courts, nomenclatures, current[0], cgu)
