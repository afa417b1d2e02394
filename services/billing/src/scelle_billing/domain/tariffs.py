"""Tariff versions (terms, price annex and art. 9): dated, announced four months ahead, frozen per expertise.

The version in force on the day an expertise enters ``en_cours`` prices it for life; a revision
applies only to expertises entering ``en_cours`` on or after its ``effective_from``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from scelle_billing.domain.calendar import add_months
from scelle_billing.domain.errors import InvalidReferenceData, NoticeTooShort

RESERVATION = "reservation_capacite"
OPENING = "ouverture"
PARTY = "partie"
CERTIFICATE = "certificat_logiciel"
CODES = (RESERVATION, OPENING, PARTY, CERTIFICATE)
PER = {RESERVATION: "expertise", OPENING: "expertise", PARTY: "party", CERTIFICATE: "software_certificate"}
NOTICE_MONTHS = 4


@dataclass(frozen=True)
class TariffLine:
    code: str
    label: str
    unit_price_cents: int


@dataclass(frozen=True)
class TariffVersion:
    version: str
    effective_from: date
    announced_on: date | None
    lines: Mapping[str, TariffLine]

    def price(self, code: str) -> TariffLine:
        return self.lines[code]


def check_notice(announced_on: date, effective_from: date) -> None:
    """A revision must be announced at least four months before it takes effect."""
    if add_months(announced_on, NOTICE_MONTHS) > effective_from:
        raise NoticeTooShort(
            f"tariff effective {effective_from} announced {announced_on}: less than {NOTICE_MONTHS} months' notice")


@dataclass(frozen=True)
class TariffBook:
    """Every tariff version, oldest first, validated."""

    versions: tuple[TariffVersion, ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise InvalidReferenceData("no tariff version")
        names = [v.version for v in self.versions]
        if len(set(names)) != len(names):
            raise InvalidReferenceData("duplicate tariff version")
        for previous, current in zip(self.versions, self.versions[1:], strict=False):
            if current.effective_from <= previous.effective_from:
                raise InvalidReferenceData(f"tariff {current.version} does not take effect after {previous.version}")
            if current.announced_on is None:
                raise InvalidReferenceData(f"tariff {current.version} has no announcement date")
            check_notice(current.announced_on, current.effective_from)
        for version in self.versions:
            if set(version.lines) != set(CODES):
                raise InvalidReferenceData(f"tariff {version.version} must price exactly {', '.join(CODES)}")
            if any(line.unit_price_cents < 0 for line in version.lines.values()):
                raise InvalidReferenceData(f"tariff {version.version} has a negative price")

    def in_force(self, day: date) -> TariffVersion:
        """The version that prices an expertise entering ``en_cours`` on ``day``."""
        applicable = [v for v in self.versions if v.effective_from <= day]
        if not applicable:
            raise InvalidReferenceData(f"no tariff in force on {day}")
        return applicable[-1]

    def get(self, version: str) -> TariffVersion:
        for candidate in self.versions:
            if candidate.version == version:
                return candidate
        raise InvalidReferenceData(f"unknown tariff version {version}")

    def announced_by(self, day: date) -> list[TariffVersion]:
        """Revisions whose announcement date has come (the first version is never announced)."""
        return [v for v in self.versions[1:] if v.announced_on is not None and v.announced_on <= day]


def tariff_book(rows: Iterable[Mapping[str, str]]) -> TariffBook:
    """Build and validate a book from CSV rows (``data/tariffs.csv``, read by ``adapters.reference_data``)."""
    grouped: dict[str, dict[str, object]] = {}
    try:
        for row in rows:
            entry = grouped.setdefault(row["version"], {
                "effective_from": date.fromisoformat(row["effective_from"]),
                "announced_on": date.fromisoformat(row["announced_on"]) if row.get("announced_on") else None,
                "lines": {}})
            if date.fromisoformat(row["effective_from"]) != entry["effective_from"]:
                raise InvalidReferenceData(f"tariff {row['version']} has two effective dates")
            code = row["code"]
            if code not in CODES or PER[code] != row["per"]:
                raise InvalidReferenceData(f"unknown tariff line {code}/{row['per']}")
            lines = entry["lines"]
            assert isinstance(lines, dict)
            if code in lines:
                raise InvalidReferenceData(f"tariff {row['version']} prices {code} twice")
            lines[code] = TariffLine(code, row["label"], int(row["unit_price_cents_ht"]))
    except (KeyError, ValueError) as exc:
        raise InvalidReferenceData(f"malformed tariff row: {exc}") from None
    versions = [TariffVersion(name, e["effective_from"], e["announced_on"], e["lines"])  # type: ignore[arg-type]
                for name, e in grouped.items()]
    return TariffBook(tuple(sorted(versions, key=lambda v: v.effective_from)))

