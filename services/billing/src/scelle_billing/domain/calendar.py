"""Calendar rules of the terms: calendar months, and the French civil date of an instant."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the 31st lands on the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def civil_date(instant: datetime) -> date:
    """The date in France of ``instant`` (deadlines of the terms count in French calendar days)."""
    return instant.astimezone(PARIS).date()

