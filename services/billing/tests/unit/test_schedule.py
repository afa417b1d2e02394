"""Every timing rule of the terms (art. 6), on one expertise's billing file."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from scelle_billing.domain import schedule
from scelle_billing.domain.calendar import add_months
from scelle_billing.domain.schedule import Accrual, FileFacts, next_invoice

EN_COURS = date(2026, 1, 10)


class File:
    """A billing file the test drives day by day, issuing what the schedule calls for."""

    def __init__(self, en_cours_on: date | None = EN_COURS) -> None:
        self.en_cours_on = en_cours_on
        self.final_report_on: date | None = None
        self.terminated_on: date | None = None
        self.lines: dict[str, tuple[date, str | None]] = {}
        self.invoices: list[tuple[str, date, tuple[str, ...]]] = []

    def accrue(self, line_id: str, on: date) -> None:
        self.lines[line_id] = (on, None)

    def run(self, today: date) -> list[tuple[str, tuple[str, ...]]]:
        issued = []
        while (due := next_invoice(self.facts(), self.accruals(), today)) is not None:
            for line_id in due.line_ids:
                self.lines[line_id] = (self.lines[line_id][0], due.kind)
            self.invoices.append((due.kind, today, due.line_ids))
            issued.append((due.kind, due.line_ids))
        return issued

    def run_every_day(self, days: Iterable[date]) -> None:
        for day in days:
            self.run(day)

    def facts(self) -> FileFacts:
        return FileFacts(self.en_cours_on, self.final_report_on, self.terminated_on,
                         [kind for kind, _, _ in self.invoices])

    def accruals(self) -> list[Accrual]:
        return [Accrual(line_id, on, kind is not None) for line_id, (on, kind) in self.lines.items()]


def opened(en_cours_on: date = EN_COURS, parties: int = 2) -> File:
    file = File(en_cours_on)
    file.accrue("reservation", en_cours_on)
    file.accrue("ouverture", en_cours_on)
    for n in range(parties):
        file.accrue(f"partie-{n}", en_cours_on)
    return file


def test_nothing_is_invoiced_before_six_months():
    file = opened()
    assert file.run(date(2026, 7, 9)) == []


def test_the_first_invoice_is_issued_six_calendar_months_after_en_cours():
    file = opened()
    assert schedule.first_invoice_on(EN_COURS) == date(2026, 7, 10)
    assert file.run(date(2026, 7, 10)) == [("premiere", ("reservation", "ouverture", "partie-0", "partie-1"))]


def test_six_months_after_the_31st_is_the_end_of_a_shorter_month():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)


def test_a_final_report_before_six_months_gives_one_single_invoice():
    file = opened()
    file.final_report_on = date(2026, 5, 2)
    file.accrue("partie-late", date(2026, 4, 1))
    assert file.run(date(2026, 5, 2)) == [("unique", ("reservation", "ouverture", "partie-0", "partie-1",
                                                       "partie-late"))]
    assert file.run(date(2026, 7, 10)) == []  # six months later: nothing left, nothing issued
    assert [kind for kind, _, _ in file.invoices] == ["unique"]


def test_a_final_report_after_six_months_gives_the_first_invoice_then_the_remainder():
    file = opened()
    assert [k for k, _ in file.run(date(2026, 7, 10))] == ["premiere"]
    file.accrue("partie-2", date(2026, 8, 1))
    assert file.run(date(2026, 8, 2)) == []  # waits for the remainder
    file.final_report_on = date(2026, 9, 15)
    assert file.run(date(2026, 9, 15)) == [("solde", ("partie-2",))]


def test_a_final_report_without_anything_new_issues_no_empty_remainder():
    file = opened()
    file.run(date(2026, 7, 10))
    file.final_report_on = date(2026, 9, 15)
    assert file.run(date(2026, 9, 15)) == []


def test_a_run_missed_for_days_still_issues_the_first_invoice_then_the_remainder():
    file = opened()
    file.accrue("partie-after-six-months", date(2026, 7, 20))
    file.final_report_on = date(2026, 7, 25)
    assert [kind for kind, _ in file.run(date(2026, 8, 1))] == ["premiere", "solde"]
    assert file.invoices[1][2] == ("partie-after-six-months",)


def test_a_party_added_after_the_final_invoice_is_invoiced_as_a_supplementary_invoice():
    file = opened()
    file.final_report_on = date(2026, 3, 1)
    file.run(date(2026, 3, 1))
    file.accrue("partie-mise-en-cause", date(2026, 4, 2))
    assert file.run(date(2026, 4, 2)) == [("complementaire", ("partie-mise-en-cause",))]
    assert file.run(date(2026, 4, 2)) == []


def test_termination_invoices_an_expertise_en_cours_at_once():
    file = opened()
    file.terminated_on = date(2026, 2, 1)
    assert file.run(date(2026, 2, 1)) == [("resiliation", ("reservation", "ouverture", "partie-0", "partie-1"))]
    file.accrue("certificat", date(2026, 3, 1))
    assert [kind for kind, _ in file.run(date(2026, 3, 1))] == ["complementaire"]


def test_termination_after_the_first_invoice_invoices_the_remainder():
    file = opened()
    file.run(date(2026, 7, 10))
    file.accrue("partie-2", date(2026, 8, 1))
    file.terminated_on = date(2026, 9, 1)
    assert file.run(date(2026, 9, 1)) == [("resiliation", ("partie-2",))]


def test_an_expertise_never_en_cours_is_never_invoiced_even_on_termination():
    file = File(en_cours_on=None)
    file.accrue("partie-0", date(2026, 1, 1))
    file.terminated_on = date(2026, 2, 1)
    file.final_report_on = date(2026, 2, 1)
    assert file.run(date(2027, 1, 1)) == []


def test_running_every_day_for_a_year_issues_each_invoice_once():
    file = opened()
    file.accrue("certificat-1", date(2026, 3, 3))
    file.final_report_on = date(2026, 10, 1)
    file.run_every_day(date.fromordinal(n) for n in range(EN_COURS.toordinal(), date(2027, 1, 10).toordinal()))
    assert [(kind, day) for kind, day, _ in file.invoices] == [("premiere", date(2026, 7, 10))]
    file.accrue("partie-9", date(2027, 1, 10))
    file.run(date(2027, 1, 10))
    assert [kind for kind, _, _ in file.invoices] == ["premiere", "complementaire"]
