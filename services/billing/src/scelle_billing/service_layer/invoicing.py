"""The daily billing run (``scelle-billing run-invoicing --date``), idempotent for a given day.

1. Announce the tariff revisions whose announcement day has come (once per version).
2. For every expertise the schedule may concern, in its own transaction: lock its file, ask the
   domain for the invoices due, number and issue them, publish ``billing.invoice_issued``.
3. Dun every account with an overdue unsettled invoice (or a dunning state to clear).

Numbers come from a per-year counter row updated in the invoice's transaction (``Invoices.next_sequence``):
concurrent runs queue on it, so numbers follow commit order with no gap and no duplicate, and a
second run of the same day finds the lines already invoiced and issues nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from scelle_billing.domain import dunning, schedule
from scelle_billing.domain.calendar import add_months
from scelle_billing.domain.invoices import PricedLine, draft, invoice_number
from scelle_billing.domain.late import Balance, Payment, balance
from scelle_billing.service_layer import integration_events as events
from scelle_billing.service_layer.context import Actor, Services, audit_entry, system_actor
from scelle_billing.service_layer.unit_of_work import BillingUnitOfWork

RUN = system_actor("billing-run")


@dataclass
class RunReport:
    day: date
    candidates: int = 0
    invoices: list[str] = field(default_factory=list)
    announcements: list[str] = field(default_factory=list)
    dunning: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "candidates": self.candidates, "invoices_issued": len(self.invoices),
                "first_number": self.invoices[0] if self.invoices else None,
                "last_number": self.invoices[-1] if self.invoices else None,
                "tariffs_announced": self.announcements, "dunning": self.dunning}


def run_invoicing(services: Services, today: date) -> RunReport:
    report = RunReport(today)
    report.announcements = announce_tariffs(services, today)
    with services.unit_of_work() as uow:
        candidates = uow.files.invoicing_candidates(today, add_months(today, -schedule.FIRST_INVOICE_MONTHS))
    report.candidates = len(candidates)
    for expertise_id in candidates:
        report.invoices.extend(invoice_expertise(services, expertise_id, today))
    with services.unit_of_work() as uow:
        accounts = uow.invoices.accounts_to_dun(today)
    for account_id in accounts:
        for action in dun_account(services, account_id, today):
            report.dunning[action] = report.dunning.get(action, 0) + 1
    return report


def announce_tariffs(services: Services, today: date) -> list[str]:
    announced = []
    for version in services.tariffs.announced_by(today):
        with services.unit_of_work() as uow:
            now = services.clock()
            assert version.announced_on is not None
            if uow.announcements.record(version.version, version.announced_on, version.effective_from, now):
                uow.publish(events.tariff_announced(version, now))
                uow.record(audit_entry(RUN, "tariff.announce", f"tariff:{version.version}", "published", now,
                                       effective_from=version.effective_from.isoformat()))
                uow.commit()
                announced.append(version.version)
    return announced


def invoice_expertise(services: Services, expertise_id: str, today: date, actor: Actor = RUN) -> list[str]:
    """Issue every invoice the schedule calls for on ``today`` for one expertise; their numbers."""
    issued: list[str] = []
    with services.unit_of_work() as uow:
        file = uow.files.get(expertise_id, for_update=True)
        if file is None or file["en_cours_on"] is None or not file["owner_account_id"]:
            return []
        owner = uow.accounts.get(file["owner_account_id"])
        terminated_on = owner["termination_received_on"] if owner else None
        lines = {line["id"]: line for line in uow.lines.of_expertise(expertise_id)}
        kinds = uow.invoices.kinds_of(expertise_id)
        invoiced: set[str] = {line_id for line_id, line in lines.items() if line["invoice_id"]}
        now = services.clock()
        while True:
            facts = schedule.FileFacts(file["en_cours_on"], file["final_report_on"], terminated_on, kinds)
            accruals = [schedule.Accrual(line_id, line["accrued_on"], line_id in invoiced)
                        for line_id, line in lines.items()]
            due = schedule.next_invoice(facts, accruals, today)
            if due is None:
                break
            number = _issue(uow, services, file, [lines[i] for i in due.line_ids], due.kind, today, now, actor)
            invoiced.update(due.line_ids)
            kinds.append(due.kind)
            issued.append(number)
        if issued:
            uow.files.update(expertise_id, now, invoice_count=len(kinds),
                             closed=any(kind in schedule.CLOSING for kind in kinds))
            uow.commit()
    return issued


def _issue(uow: BillingUnitOfWork, services: Services, file: Mapping[str, Any], lines: list[Mapping[str, Any]],
           kind: str, today: date, now: datetime, actor: Actor) -> str:
    invoice = draft([PricedLine(line["code"], line["label"], line["unit_price_cents"]) for line in lines],
                    today, file["en_cours_on"])
    sequence = uow.invoices.next_sequence(today)
    values = {
        "id": services.new_id(), "number": invoice_number(today.year, sequence), "year": today.year,
        "sequence": sequence, "version": 1, "expertise_id": file["expertise_id"],
        "account_id": file["owner_account_id"], "kind": kind, "tariff_version": file["tariff_version"],
        "issued_on": invoice.issued_on, "due_on": invoice.due_on, "payment_method": invoice.payment_method,
        "lines": [{"code": line.code, "label": line.label, "quantity": line.quantity,
                   "unit_price_cents": line.unit_price_cents, "amount_cents": line.amount_cents}
                  for line in invoice.lines],
        "total_ht_cents": invoice.total_ht_cents, "vat_cents": invoice.vat_cents,
        "total_ttc_cents": invoice.total_ttc_cents, "created_at": now,
    }
    uow.invoices.add(**values)
    uow.lines.mark_invoiced([line["id"] for line in lines], values["id"])
    uow.publish(events.invoice_issued(values, now))
    uow.record(audit_entry(actor, "invoice.issue", f"invoice:{values['id']}", "issued", now,
                           number=values["number"], expertise_id=file["expertise_id"], kind=kind,
                           total_ttc_cents=invoice.total_ttc_cents))
    return str(values["number"])


def balances(uow: BillingUnitOfWork, services: Services, invoices: list[Mapping[str, Any]],
             on: date) -> list[tuple[Mapping[str, Any], Balance]]:
    paid = uow.invoices.payments_of(invoice["id"] for invoice in invoices)
    return [(invoice, balance(invoice["total_ttc_cents"], invoice["due_on"],
                              [Payment(p["paid_on"], p["amount_cents"]) for p in paid[invoice["id"]]],
                              on, services.rates)) for invoice in invoices]


def dun_account(services: Services, account_id: str, today: date) -> list[str]:
    """Advance the account's dunning on ``today``; the actions taken."""
    with services.unit_of_work() as uow:
        now = services.clock()
        actions = apply_dunning(uow, services, account_id, today, now, RUN)
        if actions:
            uow.commit()
        return actions


def apply_dunning(uow: BillingUnitOfWork, services: Services, account_id: str, today: date, now: datetime,
                  actor: Actor) -> list[str]:
    """Every dunning step due on ``today`` for one account, in the caller's transaction."""
    row = uow.accounts.lock(account_id, now)
    state = dunning.DunningState(row["incident_on"], row["notice_sent_on"], row["suspended_on"])
    open_balances = balances(uow, services, uow.invoices.unsettled_of_account(account_id), today)
    overdue = [(invoice, b) for invoice, b in open_balances if b.remaining_cents > 0 and invoice["due_on"] < today]
    actions: list[str] = []
    while (step := dunning.next_step(state, [invoice["due_on"] for invoice, _ in overdue], today)) is not None:
        previous, (state, action) = state, step
        version = uow.accounts.update(account_id, now, incident_on=state.incident_on,
                                      notice_sent_on=state.notice_sent_on, suspended_on=state.suspended_on)
        if action == dunning.FORMAL_NOTICE:
            assert state.incident_on and state.notice_sent_on
            uow.publish(events.formal_notice_sent(account_id, version, state.incident_on, state.notice_sent_on,
                                                  dunning.suspension_on(state.notice_sent_on), overdue, now))
        elif action == dunning.SUSPEND:
            assert state.incident_on and state.notice_sent_on and state.suspended_on
            uow.publish(events.account_suspended(account_id, version, state.suspended_on, state.incident_on,
                                                 state.notice_sent_on, overdue, now))
        elif action == dunning.REINSTATE:
            assert previous.suspended_on
            uow.publish(events.account_reinstated(account_id, version, today, previous.suspended_on, now))
        uow.record(audit_entry(actor, f"dunning.{action}", f"account:{account_id}", "applied", now,
                               overdue=[invoice["number"] for invoice, _ in overdue]))
        actions.append(action)
    return actions
