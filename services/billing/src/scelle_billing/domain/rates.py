"""The legal interest rate by semester (professional column, "autres cas"), as a dated table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from scelle_billing.domain.errors import InvalidReferenceData


@dataclass(frozen=True)
class RatePeriod:
    start: date
    end: date
    professional_percent: Decimal


@dataclass(frozen=True)
class RateTable:
    """Contiguous periods, oldest first. Past the last one its rate is carried forward (provisional)."""

    periods: tuple[RatePeriod, ...]

    def __post_init__(self) -> None:
        if not self.periods:
            raise InvalidReferenceData("no legal interest rate")
        for period in self.periods:
            if period.end < period.start or period.professional_percent < 0:
                raise InvalidReferenceData(f"invalid rate period starting {period.start}")
        for previous, current in zip(self.periods, self.periods[1:], strict=False):
            if current.start != previous.end + timedelta(days=1):
                raise InvalidReferenceData(f"rate periods are not contiguous at {current.start}")

    @property
    def known_until(self) -> date:
        return self.periods[-1].end

    def percent_on(self, day: date) -> Decimal:
        """The professional legal rate (annual %, not yet tripled) for ``day``."""
        if day < self.periods[0].start:
            raise InvalidReferenceData(f"no legal interest rate for {day}")
        for period in self.periods:
            if period.start <= day <= period.end:
                return period.professional_percent
        return self.periods[-1].professional_percent


def rate_table(rows: Iterable[Mapping[str, str]]) -> RateTable:
    try:
        periods = [RatePeriod(date.fromisoformat(r["period_start"]), date.fromisoformat(r["period_end"]),
                              Decimal(r["rate_autres_cas_percent"])) for r in rows]
    except (KeyError, ValueError, InvalidOperation) as exc:
        raise InvalidReferenceData(f"malformed legal rate row: {exc}") from None
    return RateTable(tuple(sorted(periods, key=lambda p: p.start)))

