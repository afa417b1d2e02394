"""Tariffs as validated data, and the arithmetic of an invoice."""

from __future__ import annotations

from datetime import date

import pytest

from scelle_billing.bootstrap import load_reference_data
from scelle_billing.domain import invoices, tariffs
from scelle_billing.domain.errors import InvalidReferenceData, NoticeTooShort
from scelle_billing.domain.money import euros, round_cents, vat_of


def rows(version: str, effective: str, announced: str = "", **prices: int) -> list[dict[str, str]]:
    base = {"reservation_capacite": 1000, "ouverture": 2500, "partie": 1000, "certificat_logiciel": 1500} | prices
    return [{"version": version, "announced_on": announced, "effective_from": effective, "code": code,
             "label": code, "unit_price_cents_ht": str(price), "per": tariffs.PER[code]}
            for code, price in base.items()]


def priced(version: tariffs.TariffVersion, *codes: str) -> list[invoices.PricedLine]:
    return [invoices.PricedLine(code, version.price(code).label, version.price(code).unit_price_cents)
            for code in codes]


def test_the_shipped_reference_data_loads_and_prices_the_four_lines():
    book, rates = load_reference_data()
    current = book.in_force(date(2026, 1, 1))
    assert {code: line.unit_price_cents for code, line in current.lines.items()} == {
        "reservation_capacite": 1000, "ouverture": 2500, "partie": 1000, "certificat_logiciel": 1500}
    assert str(rates.percent_on(date(2026, 3, 1))) == "2.62"


def test_two_parties_and_two_certificates_cost_85_euros_ht_as_in_the_terms():
    version = tariffs.tariff_book(rows("2020-04", "2020-04-01")).in_force(date(2024, 1, 1))
    lines = priced(version, "reservation_capacite", "ouverture", "partie", "partie",
                   "certificat_logiciel", "certificat_logiciel")
    invoice = invoices.draft(lines, date(2024, 7, 1), en_cours_on=date(2024, 1, 1))
    assert invoice.total_ht_cents == 8500
    assert invoice.vat_cents == 1700
    assert invoice.total_ttc_cents == 10200
    assert [(line.code, line.quantity, line.amount_cents) for line in invoice.lines] == [
        ("reservation_capacite", 1, 1000), ("ouverture", 1, 2500), ("partie", 2, 2000),
        ("certificat_logiciel", 2, 3000)]


def test_an_invoice_is_due_thirty_days_after_issue():
    invoice = invoices.draft([invoices.PricedLine("partie", "Prix par partie", 1000)], date(2026, 1, 15),
                             en_cours_on=date(2025, 7, 15))
    assert invoice.due_on == date(2026, 2, 14)


def test_sepa_direct_debit_applies_to_expertises_en_cours_from_28_may_2020():
    assert invoices.payment_method(date(2020, 5, 27)) == invoices.TRANSFER_OR_CHEQUE
    assert invoices.payment_method(date(2020, 5, 28)) == invoices.SEPA


def test_vat_is_rounded_half_up_to_the_cent_on_the_invoice_total():
    assert vat_of(1) == 0  # 0.2 cent
    assert vat_of(3) == 1  # 0.6 cent
    assert vat_of(1234567) == 246913  # 246 913.4 cents
    assert round_cents(__import__("decimal").Decimal("2.5")) == 3


def test_amounts_display_the_french_way():
    assert euros(123450) == "1\u202f234,50"
    assert euros(5) == "0,05"


def test_invoice_numbers_are_chronological_per_year():
    assert invoices.invoice_number(2026, 42) == "2026-000042"


def test_a_tariff_change_applies_only_to_expertises_entering_en_cours_from_its_effective_date():
    book = tariffs.tariff_book(rows("2020-04", "2020-04-01")
                               + rows("2027-01", "2027-01-01", "2026-08-15", partie=1200))
    before = book.in_force(date(2026, 12, 31))
    after = book.in_force(date(2027, 1, 1))
    assert (before.version, before.price("partie").unit_price_cents) == ("2020-04", 1000)
    assert (after.version, after.price("partie").unit_price_cents) == ("2027-01", 1200)
    old = invoices.draft(priced(before, "reservation_capacite", "ouverture", "partie"), date(2027, 6, 1),
                         date(2026, 12, 1))
    new = invoices.draft(priced(after, "reservation_capacite", "ouverture", "partie"), date(2027, 7, 2),
                         date(2027, 1, 2))
    assert (old.total_ht_cents, new.total_ht_cents) == (4500, 4700)


def test_a_tariff_revision_announced_less_than_four_months_ahead_is_refused():
    with pytest.raises(NoticeTooShort):
        tariffs.tariff_book(rows("2020-04", "2020-04-01") + rows("2027-01", "2027-01-01", "2026-09-02"))
    tariffs.check_notice(date(2026, 9, 1), date(2027, 1, 1))  # exactly four months is enough


def test_a_revision_without_an_announcement_date_is_refused():
    with pytest.raises(InvalidReferenceData, match="announcement"):
        tariffs.tariff_book(rows("2020-04", "2020-04-01") + rows("2027-01", "2027-01-01"))


def test_a_version_missing_a_line_is_refused():
    with pytest.raises(InvalidReferenceData, match="exactly"):
        tariffs.tariff_book(rows("2020-04", "2020-04-01")[:3])


def test_revisions_are_announced_once_their_announcement_day_comes():
    book = tariffs.tariff_book(rows("2020-04", "2020-04-01")
                               + rows("2027-01", "2027-01-01", "2026-08-15", partie=1200))
    assert book.announced_by(date(2026, 8, 14)) == []
    assert [v.version for v in book.announced_by(date(2026, 8, 15))] == ["2027-01"]


def test_an_invoice_may_not_be_dated_before_the_last_one_numbered():
    invoices.check_chronological(None, date(2026, 1, 1))
    invoices.check_chronological(date(2026, 1, 1), date(2026, 1, 1))
    with pytest.raises(invoices.InvoiceDayInPast):
        invoices.check_chronological(date(2026, 1, 2), date(2026, 1, 1))
