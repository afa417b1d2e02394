"""Late payment: indemnity, interest by semester, formal notice, suspension, reinstatement."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from scelle_billing.domain import dunning, late
from scelle_billing.domain.dunning import DunningState, next_step
from scelle_billing.domain.late import Payment, balance
from scelle_billing.domain.rates import RatePeriod, RateTable

RATES = RateTable((
    RatePeriod(date(2025, 1, 1), date(2025, 6, 30), Decimal("3.71")),
    RatePeriod(date(2025, 7, 1), date(2025, 12, 31), Decimal("2.76")),
))
TTC = 10_200  # 85 € HT + 20 % VAT


def test_an_invoice_paid_by_its_due_date_owes_nothing_more():
    result = balance(TTC, date(2025, 3, 31), [Payment(date(2025, 3, 31), TTC)], date(2025, 6, 1), RATES)
    assert (result.status, result.remaining_cents, result.indemnity_cents, result.interest_cents) == ("payee", 0, 0, 0)


def test_before_its_due_date_an_unpaid_invoice_is_simply_to_pay():
    result = balance(TTC, date(2025, 3, 31), [], date(2025, 3, 31), RATES)
    assert (result.status, result.remaining_cents) == ("a_payer", TTC)


def test_one_day_late_costs_the_40_euro_indemnity_and_one_day_of_triple_legal_interest():
    result = balance(TTC, date(2025, 3, 31), [], date(2025, 4, 1), RATES)
    # 10 200 × 3 × 3.71 % / 365 = 3.11 cents → 3
    assert (result.days_late, result.indemnity_cents, result.interest_cents) == (1, 4000, 3)
    assert result.remaining_cents == TTC + 4000 + 3
    assert result.status == "en_retard"


def test_interest_across_a_semester_boundary_takes_each_days_own_rate():
    # Due 20 June 2025, still unpaid on 10 July: 10 days at 3.71 %, then 10 days at 2.76 %.
    result = balance(TTC, date(2025, 6, 20), [], date(2025, 7, 10), RATES)
    exact = Decimal(TTC) * 3 * (Decimal("3.71") * 10 + Decimal("2.76") * 10) / 100 / 365  # 54.24 cents
    assert result.days_late == 20
    assert result.interest_cents == 54 == int(exact)
    one_rate = Decimal(TTC) * 3 * Decimal("3.71") * 20 / 100 / 365  # 62.2 cents had the rate not changed
    assert result.interest_cents != round(one_rate)


def test_the_indemnity_is_due_once_however_long_the_delay():
    result = balance(TTC, date(2025, 1, 31), [], date(2025, 12, 31), RATES)
    assert result.indemnity_cents == 4000


def test_a_payment_stops_interest_from_the_next_day_and_fees_remain_owed():
    payments = [Payment(date(2025, 4, 10), TTC)]
    result = balance(TTC, date(2025, 3, 31), payments, date(2025, 5, 31), RATES)
    assert result.days_late == 10
    assert result.principal_outstanding_cents == 0
    assert result.remaining_cents == 4000 + result.interest_cents
    assert result.status == "en_retard"
    settled = balance(TTC, date(2025, 3, 31), payments + [Payment(date(2025, 5, 1), result.remaining_cents)],
                      date(2025, 5, 31), RATES)
    assert settled.status == "payee"


def test_a_partial_payment_lowers_the_principal_that_bears_interest():
    full = balance(TTC, date(2025, 3, 31), [], date(2025, 4, 30), RATES)
    partial = balance(TTC, date(2025, 3, 31), [Payment(date(2025, 4, 1), TTC // 2)], date(2025, 4, 30), RATES)
    assert partial.interest_cents < full.interest_cents


def test_interest_past_the_last_known_semester_is_flagged_provisional():
    result = balance(TTC, date(2025, 12, 20), [], date(2026, 1, 5), RATES)
    assert result.interest_provisional


def walk(unpaid_due: list[date], start: date, days: int) -> list[tuple[date, str]]:
    state, steps = DunningState(), []
    for n in range(days):
        today = start + timedelta(days=n)
        while (change := next_step(state, unpaid_due, today)) is not None:
            state, action = change
            steps.append((today, action))
    return steps


def test_formal_notice_comes_30_days_after_the_incident_and_suspension_15_days_after_it():
    steps = walk([date(2026, 3, 1)], date(2026, 3, 1), 60)
    assert steps == [(date(2026, 3, 2), "incident"), (date(2026, 4, 1), "formal_notice"),
                     (date(2026, 4, 16), "suspend")]


def test_full_payment_reinstates_a_suspended_account():
    state = DunningState(date(2026, 3, 2), date(2026, 4, 1), date(2026, 4, 16))
    assert next_step(state, [], date(2026, 5, 1)) == (DunningState(), dunning.REINSTATE)


def test_payment_before_the_notice_clears_the_incident_without_any_notice():
    state = DunningState(incident_on=date(2026, 3, 2))
    assert next_step(state, [], date(2026, 3, 20)) == (DunningState(), dunning.CLEARED)


def test_nothing_happens_to_an_account_with_nothing_overdue():
    assert next_step(DunningState(), [date(2026, 5, 1)], date(2026, 5, 1)) is None


def test_indemnity_constant_is_40_euros():
    assert late.INDEMNITY_CENTS == 40 * 100
