"""Delivery policy: which SMTP failures are worth retrying, and when.

RFC 5321: a 4xx reply is a transient failure (try again later), a 5xx reply is permanent. A
server that does not answer (connection refused, reset, timeout) is transient too: mail waits
until it returns. After ``max_attempts`` transient failures the mail is given up as permanent,
so a broken address never stays in the queue for ever.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta


class Failure(enum.Enum):
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


def classify(smtp_code: int | None) -> Failure:
    """``None`` = no SMTP answer at all (the server is down or unreachable)."""
    if smtp_code is not None and 500 <= smtp_code < 600:
        return Failure.PERMANENT
    return Failure.TEMPORARY


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``first``, then doubled each attempt, capped at ``longest``."""

    first: timedelta = timedelta(seconds=30)
    longest: timedelta = timedelta(hours=1)
    max_attempts: int = 30  # about a day of outage with the defaults

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1-based)."""
        exponent = max(0, attempts - 1)
        if exponent > 30:
            return self.longest
        return min(self.first * (2**exponent), self.longest)

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
