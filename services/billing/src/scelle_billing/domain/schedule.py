"""When an expertise is invoiced (terms art. 6; REFERENCE §6.2), as a pure decision.

t₀ is the day the expertise enters ``en_cours``. The rules, in the order they are tried:

1. ``premiere``: no invoice yet, t₀ + 6 calendar months reached, and the final report (if any) did
   not come before that day → the lines accrued up to t₀ + 6 months.
2. Once a closing invoice exists (``unique``, ``solde`` or ``resiliation``), anything accrued
   later → ``complementaire``.
3. The first document in ``greffe/rapport-definitif`` → ``unique`` when nothing was invoiced yet
   (report before six months), else ``solde`` (the remainder).
4. The owner's subscription terminated (request received) → ``resiliation``: everything at once.

Lines accrued between the first invoice and the report wait for the remainder. The decision is
a function of the file and the day only, so running the invoicing twice the same day, or late,
issues exactly the invoices the rules call for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from scelle_billing.domain.calendar import add_months

FIRST = "premiere"
SINGLE = "unique"
REMAINDER = "solde"
SUPPLEMENTARY = "complementaire"
TERMINATION = "resiliation"
KINDS = (FIRST, SINGLE, REMAINDER, SUPPLEMENTARY, TERMINATION)
CLOSING = frozenset({SINGLE, REMAINDER, TERMINATION})
FIRST_INVOICE_MONTHS = 6
KIND_LABELS = {FIRST: "Première facture (6 mois)", SINGLE: "Facture unique", REMAINDER: "Facture de solde",
               SUPPLEMENTARY: "Facture complémentaire", TERMINATION: "Facture de résiliation"}


@dataclass(frozen=True)
class Accrual:
    """One accrued line as the schedule sees it."""

    id: str
    accrued_on: date
    invoiced: bool


@dataclass(frozen=True)
class FileFacts:
    """What the schedule needs to know about one expertise's billing file."""

    en_cours_on: date | None
    final_report_on: date | None
    terminated_on: date | None
    issued_kinds: Sequence[str]


@dataclass(frozen=True)
class InvoiceDue:
    kind: str
    line_ids: tuple[str, ...]


def first_invoice_on(en_cours_on: date) -> date:
    return add_months(en_cours_on, FIRST_INVOICE_MONTHS)


def next_invoice(facts: FileFacts, lines: Sequence[Accrual], today: date) -> InvoiceDue | None:
    """The next invoice due on ``today``, or ``None``. Call again after issuing it: a late run
    may owe two (the first invoice, then the remainder)."""
    if facts.en_cours_on is None:
        return None
    pending = [line for line in lines if not line.invoiced]
    if not pending:
        return None
    everything = tuple(line.id for line in pending)
    if any(kind in CLOSING for kind in facts.issued_kinds):
        return InvoiceDue(SUPPLEMENTARY, everything)
    six_months = first_invoice_on(facts.en_cours_on)
    report = facts.final_report_on if facts.final_report_on and facts.final_report_on <= today else None
    terminated = facts.terminated_on if facts.terminated_on and facts.terminated_on <= today else None
    if not facts.issued_kinds and today >= six_months and (report is None or report >= six_months) \
            and (terminated is None or terminated >= six_months):
        first = tuple(line.id for line in pending if line.accrued_on <= six_months)
        if first:
            return InvoiceDue(FIRST, first)
    if report is not None:
        if not facts.issued_kinds:
            return InvoiceDue(SINGLE, everything)
        remainder = tuple(line.id for line in pending if line.accrued_on <= report)
        return InvoiceDue(REMAINDER, remainder) if remainder else InvoiceDue(SUPPLEMENTARY, everything)
    if terminated is not None:
        return InvoiceDue(TERMINATION, everything)
    return None
