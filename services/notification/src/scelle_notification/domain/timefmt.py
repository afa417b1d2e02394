"""Dates and hours as French users read them (Europe/Paris)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def local(instant: datetime) -> datetime:
    return instant.astimezone(PARIS)


def french_date(value: datetime | date | str | None) -> str:
    """``dd/mm/yyyy``; instants are read in Paris time."""
    if not value or not isinstance(value, date | str):
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10]) if len(value) <= 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime):
        value = local(value)
    return value.strftime("%d/%m/%Y")


def french_time(instant: datetime) -> str:
    """``14h05`` in Paris time."""
    if not isinstance(instant, datetime):
        return ""
    return local(instant).strftime("%Hh%M")


def euros(cents: int | None) -> str:
    """``1 234,50 €``."""
    if not isinstance(cents, int):
        return ""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d}\u00a0€"


@lru_cache(maxsize=65_536)
def french_moment(instant: datetime) -> str:
    """``le 03/12/2026 à 14h05`` (Paris time). Cached: a digest run formats each deposit's instant
    for every reader of it."""
    if not isinstance(instant, datetime):
        return ""
    moment = local(instant)
    return f"le {moment.day:02d}/{moment.month:02d}/{moment.year} à {moment.hour:02d}h{moment.minute:02d}"
