"""Reads: *Suivi du coût* of an expertise for its owner expert, one invoice (JSON and PDF data).

The owner expert of the expertise and operators may read; anyone else gets 404 (the expertise's
existence is not revealed). Every read is audited.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from scelle_billing.domain.calendar import civil_date
from scelle_billing.domain.errors import InvalidRequest, NotFound
from scelle_billing.domain.invoices import METHOD_LABELS
from scelle_billing.domain.late import STATUS_LABELS, Balance
from scelle_billing.domain.money import VAT_PERCENT
from scelle_billing.domain.schedule import KIND_LABELS, first_invoice_on
from scelle_billing.service_layer.context import Actor, Services, audit_entry
from scelle_billing.service_layer.invoicing import balances
from scelle_billing.service_layer.unit_of_work import BillingUnitOfWork


def _denied(services: Services, actor: Actor, action: str, target: str) -> NotFound:
    with services.unit_of_work() as uow:
        uow.record(audit_entry(actor, action, target, "denied", services.clock(), reason="not owner"))
        uow.commit()
    return NotFound("Ressource introuvable.")


def invoice_view(invoice: Mapping[str, Any], current: Balance) -> dict[str, Any]:
    return {
        "id": invoice["id"], "number": invoice["number"], "version": invoice["version"],
        "expertise_id": invoice["expertise_id"], "account_id": invoice["account_id"], "kind": invoice["kind"],
        "kind_label": KIND_LABELS[invoice["kind"]], "tariff_version": invoice["tariff_version"],
        "issued_on": invoice["issued_on"], "due_on": invoice["due_on"],
        "payment_method": invoice["payment_method"], "payment_method_label": METHOD_LABELS[invoice["payment_method"]],
        "lines": list(invoice["lines"]), "total_ht_cents": invoice["total_ht_cents"],
        "vat_rate_percent": VAT_PERCENT, "vat_cents": invoice["vat_cents"],
        "total_ttc_cents": invoice["total_ttc_cents"], "paid_cents": current.paid_cents,
        "indemnity_cents": current.indemnity_cents, "interest_cents": current.interest_cents,
        "interest_provisional": current.interest_provisional, "days_late": current.days_late,
        "remaining_cents": current.remaining_cents, "status": current.status,
        "status_label": STATUS_LABELS[current.status], "settled_on": invoice["settled_on"],
    }


def cost_tracking(services: Services, actor: Actor, expertise_id: str) -> dict[str, Any]:
    target = f"expertise:{expertise_id}"
    with services.unit_of_work() as uow:
        now = services.clock()
        file = uow.files.get(expertise_id)
        if file is None or not (actor.is_operator or (actor.id and file["owner_account_id"] == actor.id)):
            raise _denied(services, actor, "cost_tracking.read", target)
        today = civil_date(now)
        lines = uow.lines.of_expertise(expertise_id)
        invoices = balances(uow, services, uow.invoices.of_expertise(expertise_id), today)
        numbers = {invoice["id"]: invoice["number"] for invoice, _ in invoices}
        body = {
            "expertise_id": expertise_id, "display_name": file["display_name"], "status": file["status"],
            "en_cours_on": file["en_cours_on"], "tariff_version": file["tariff_version"],
            "first_invoice_on": first_invoice_on(file["en_cours_on"]) if file["en_cours_on"] else None,
            "final_report_on": file["final_report_on"],
            "lines": [{"code": line["code"], "label": line["label"], "unit_price_cents": line["unit_price_cents"],
                       "accrued_at": line["accrued_at"], "invoice_number": numbers.get(line["invoice_id"])}
                      for line in lines],
            "invoices": [invoice_view(invoice, current) for invoice, current in invoices],
            "accrued_ht_cents": sum(line["unit_price_cents"] or 0 for line in lines),
            "not_yet_invoiced_ht_cents": sum(line["unit_price_cents"] or 0 for line in lines
                                             if line["invoice_id"] is None),
            "invoiced_ttc_cents": sum(invoice["total_ttc_cents"] for invoice, _ in invoices),
            "amount_due_cents": sum(current.remaining_cents for _, current in invoices),
        }
        _record_read(uow, actor, "cost_tracking.read", target, now)
        return body


def read_invoice(services: Services, actor: Actor, invoice_id: str, *, action: str = "invoice.read"
                 ) -> dict[str, Any]:
    target = f"invoice:{invoice_id}"
    with services.unit_of_work() as uow:
        now = services.clock()
        invoice = uow.invoices.get(invoice_id)
        if invoice is None or not (actor.is_operator or (actor.id and invoice["account_id"] == actor.id)):
            raise _denied(services, actor, action, target)
        (_, current), = balances(uow, services, [invoice], civil_date(now))
        file = uow.files.get(invoice["expertise_id"])
        body = invoice_view(invoice, current) | {
            "display_name": file["display_name"] if file else None,
            "en_cours_on": file["en_cours_on"] if file else None}
        _record_read(uow, actor, action, target, now)
        return body


def _cursor(invoice: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(f"{invoice['year']}:{invoice['sequence']}".encode()).decode().rstrip("=")


def _after(cursor: str | None) -> tuple[int, int] | None:
    if not cursor:
        return None
    try:
        year, sequence = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(":")
        return int(year), int(sequence)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("Curseur invalide.") from None


def list_invoices(services: Services, actor: Actor, *, account_id: str | None, cursor: str | None,
                  limit: int) -> dict[str, Any]:
    """The caller's invoices, newest first; operators may ask for any account's (or all)."""
    if not actor.is_operator:
        if account_id not in (None, actor.id):
            raise _denied(services, actor, "invoice.list", f"account:{account_id}")
        account_id = actor.id
    after = _after(cursor)
    with services.unit_of_work() as uow:
        now = services.clock()
        rows = uow.invoices.page_of_account(account_id, after, limit + 1)
        page = balances(uow, services, rows[:limit], civil_date(now))
        body = {"items": [invoice_view(invoice, current) for invoice, current in page],
                "next_cursor": _cursor(rows[limit - 1]) if len(rows) > limit else None}
        _record_read(uow, actor, "invoice.list", f"account:{account_id or '*'}", now)
        return body


def _record_read(uow: BillingUnitOfWork, actor: Actor, action: str, target: str, now: Any) -> None:
    uow.record(audit_entry(actor, action, target, "ok", now))
    uow.commit()


def account_status(services: Services, actor: Actor, account_id: str) -> dict[str, Any]:
    target = f"account:{account_id}"
    if not (actor.is_operator or actor.id == account_id):
        raise _denied(services, actor, "billing_account.read", target)
    with services.unit_of_work() as uow:
        now = services.clock()
        row = uow.accounts.get(account_id)
        open_invoices = balances(uow, services, uow.invoices.unsettled_of_account(account_id), civil_date(now))
        body: dict[str, Any] = {
            "account_id": account_id,
            "incident_on": row["incident_on"] if row else None,
            "formal_notice_sent_on": row["notice_sent_on"] if row else None,
            "suspended_on": row["suspended_on"] if row else None,
            "termination_received_on": row["termination_received_on"] if row else None,
            "termination_effective_on": row["termination_effective_on"] if row else None,
            "open_invoices": [invoice_view(invoice, current) for invoice, current in open_invoices],
            "amount_due_cents": sum(current.remaining_cents for _, current in open_invoices),
        }
        _record_read(uow, actor, "billing_account.read", target, now)
        return body


__all__ = ["account_status", "cost_tracking", "invoice_view", "list_invoices", "read_invoice"]
