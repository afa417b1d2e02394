"""Late payment (terms, art. 6): 40 € recovery indemnity once per unpaid invoice, and interest at
three times the professional legal rate, per day late, at the rate of the semester each day falls in.

Interest of one day = outstanding principal × 3 × annual rate / 365 (REFERENCE §6.4), summed exactly
as ``Decimal`` and rounded half-up to the cent once. Payments go to the principal first; a day is
late when it comes after the due date and the principal was still owed at its start, so a payment
made on day d stops interest from d + 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from scelle_billing.domain.money import round_cents
from scelle_billing.domain.rates import RateTable

INDEMNITY_CENTS = 4_000
INTEREST_MULTIPLIER = 3
DAYS_PER_YEAR = 365
TO_PAY = "a_payer"
LATE = "en_retard"
PAID = "payee"
STATUS_LABELS = {TO_PAY: "À payer", LATE: "En retard", PAID: "Payée"}


@dataclass(frozen=True)
class Payment:
    paid_on: date
    amount_cents: int


@dataclass(frozen=True)
class Balance:
    """Where an invoice stands on a given day."""

    total_ttc_cents: int
    paid_cents: int
    principal_outstanding_cents: int
    indemnity_cents: int
    interest_cents: int
    days_late: int
    remaining_cents: int
    status: str
    interest_provisional: bool


def interest(principal_by_day: Sequence[tuple[date, int]], rates: RateTable) -> Decimal:
    """Exact interest (in cents, unrounded) of ``(day, principal owed at its start)`` pairs."""
    total = Decimal(0)
    for day, principal in principal_by_day:
        if principal > 0:
            total += Decimal(principal) * INTEREST_MULTIPLIER * rates.percent_on(day) / 100 / DAYS_PER_YEAR
    return total


def balance(total_ttc_cents: int, due_on: date, payments: Sequence[Payment], on: date, rates: RateTable) -> Balance:
    """The invoice's balance on ``on`` (payments after ``on`` are not yet known)."""
    known = sorted((p for p in payments if p.paid_on <= on), key=lambda p: p.paid_on)
    paid = sum(p.amount_cents for p in known)

    def owed_before(day: date) -> int:
        return max(0, total_ttc_cents - sum(p.amount_cents for p in known if p.paid_on < day))

    late_days: list[tuple[date, int]] = []
    day = due_on + timedelta(days=1)
    while day <= on:
        owed = owed_before(day)
        if owed == 0:
            break
        late_days.append((day, owed))
        day += timedelta(days=1)
    unpaid_at_due = owed_before(due_on + timedelta(days=1)) > 0
    indemnity = INDEMNITY_CENTS if unpaid_at_due and on > due_on else 0
    interest_cents = round_cents(interest(late_days, rates))
    outstanding = max(0, total_ttc_cents - paid)
    remaining = max(0, total_ttc_cents + indemnity + interest_cents - paid)
    if remaining == 0:
        status = PAID
    elif on > due_on:
        status = LATE
    else:
        status = TO_PAY
    provisional = bool(late_days) and late_days[-1][0] > rates.known_until
    return Balance(total_ttc_cents, paid, outstanding, indemnity, interest_cents, len(late_days), remaining,
                   status, provisional)
