"""Certificate expiry care: warn the holder 60, 30 and 7 days before a bound certificate dies.

The daily run publishes at most one notice per certificate and threshold. A certificate first
seen late (say 20 days before its end) gets the notice of the threshold it is in (30), never the
ones it has passed; a later run sends the next (7).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

THRESHOLDS_DAYS = (60, 30, 7)


def days_left(not_after: date, today: date) -> int:
    """Whole days from ``today`` to the certificate's last valid day."""
    return (not_after - today).days


def due_threshold(remaining_days: int, already_sent: Collection[int]) -> int | None:
    """The threshold to announce now, or ``None`` (not yet near, already expired, already told)."""
    if remaining_days < 0:
        return None
    reached = [threshold for threshold in THRESHOLDS_DAYS if remaining_days <= threshold]
    if not reached:
        return None
    threshold = min(reached)
    if any(sent <= threshold for sent in already_sent):
        return None
    return threshold
