"""Invoice arithmetic: lines grouped by tariff line, HT total, VAT 20 % on the total, TTC, due date, method."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from scelle_billing.domain.errors import BillingError
from scelle_billing.domain.money import vat_of

PAYMENT_DAYS = 30


class InvoiceDayInPast(BillingError):
    """A run dated before the last invoice issued (numbers must stay chronological)."""

SEPA_FROM = date(2020, 5, 28)
SEPA = "prelevement_sepa"
TRANSFER_OR_CHEQUE = "virement_ou_cheque"
METHOD_LABELS = {SEPA: "Prélèvement SEPA", TRANSFER_OR_CHEQUE: "Virement bancaire ou chèque"}


@dataclass(frozen=True)
class PricedLine:
    """One accrued line with the price of the expertise's frozen tariff."""

    code: str
    label: str
    unit_price_cents: int


@dataclass(frozen=True)
class InvoiceLine:
    code: str
    label: str
    quantity: int
    unit_price_cents: int
    amount_cents: int


@dataclass(frozen=True)
class InvoiceDraft:
    lines: tuple[InvoiceLine, ...]
    total_ht_cents: int
    vat_cents: int
    total_ttc_cents: int
    issued_on: date
    due_on: date
    payment_method: str


def payment_method(en_cours_on: date) -> str:
    """SEPA direct debit for expertises that entered ``en_cours`` from 28 May 2020, else transfer or cheque."""
    return SEPA if en_cours_on >= SEPA_FROM else TRANSFER_OR_CHEQUE


def draft(lines: Sequence[PricedLine], issued_on: date, en_cours_on: date) -> InvoiceDraft:
    """The invoice of ``lines`` issued on ``issued_on`` (order of first appearance kept)."""
    grouped: dict[tuple[str, str, int], int] = {}
    for line in lines:
        key = (line.code, line.label, line.unit_price_cents)
        grouped[key] = grouped.get(key, 0) + 1
    invoice_lines = tuple(InvoiceLine(code, label, quantity, price, quantity * price)
                          for (code, label, price), quantity in grouped.items())
    total_ht = sum(line.amount_cents for line in invoice_lines)
    vat = vat_of(total_ht)
    return InvoiceDraft(invoice_lines, total_ht, vat, total_ht + vat, issued_on,
                        issued_on + timedelta(days=PAYMENT_DAYS), payment_method(en_cours_on))


def check_chronological(last_issued_on: date | None, issued_on: date) -> None:
    """Numbers follow issue days: an invoice may not be dated before the last one numbered."""
    if last_issued_on is not None and issued_on < last_issued_on:
        raise InvoiceDayInPast(f"invoices were already issued on {last_issued_on}; cannot issue one dated {issued_on}")


def invoice_number(year: int, sequence: int) -> str:
    """Chronological, gap-free within a year: ``2026-000042``."""
    return f"{year}-{sequence:06d}"
