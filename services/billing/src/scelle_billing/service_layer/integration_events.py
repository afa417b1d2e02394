"""The only place billing facts become public events (contracts in ``contracts/events``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from scelle_common.events import Event, new_event
from scelle_billing.domain.late import Balance
from scelle_billing.domain.money import VAT_PERCENT
from scelle_billing.domain.tariffs import PER, TariffVersion

SERVICE = "billing"


def _event(name: str, subject: str, data: dict[str, Any], at: datetime, causation: Event | None = None) -> Event:
    return new_event(service=SERVICE, name=name, subject=subject, data=data, time=at, causation=causation)


def invoice_issued(invoice: Mapping[str, Any], at: datetime) -> Event:
    return _event("billing.invoice_issued.v1", invoice["id"], {
        "invoice_id": invoice["id"], "invoice_version": invoice["version"], "invoice_number": invoice["number"],
        "expertise_id": invoice["expertise_id"], "account_id": invoice["account_id"], "kind": invoice["kind"],
        "tariff_version": invoice["tariff_version"], "issued_on": invoice["issued_on"].isoformat(),
        "due_on": invoice["due_on"].isoformat(), "payment_method": invoice["payment_method"],
        "lines": list(invoice["lines"]), "total_ht_cents": invoice["total_ht_cents"],
        "vat_rate_percent": VAT_PERCENT, "vat_cents": invoice["vat_cents"],
        "total_ttc_cents": invoice["total_ttc_cents"]}, at)


def payment_recorded(invoice: Mapping[str, Any], version: int, payment: Mapping[str, Any], balance: Balance,
                     at: datetime) -> Event:
    return _event("billing.payment_recorded.v1", invoice["id"], {
        "payment_id": payment["id"], "invoice_id": invoice["id"], "invoice_version": version,
        "invoice_number": invoice["number"], "expertise_id": invoice["expertise_id"],
        "account_id": invoice["account_id"], "amount_cents": payment["amount_cents"],
        "paid_on": payment["paid_on"].isoformat(), "method": payment["method"], "paid_total_cents": balance.paid_cents,
        "remaining_cents": balance.remaining_cents, "invoice_status": balance.status,
        "recorded_by": payment["recorded_by"], "recorded_at": _instant(payment["recorded_at"])}, at)


def overdue_items(overdue: Sequence[tuple[Mapping[str, Any], Balance]]) -> list[dict[str, Any]]:
    return [{"invoice_id": invoice["id"], "invoice_number": invoice["number"], "due_on": invoice["due_on"].isoformat(),
             "remaining_cents": balance.remaining_cents} for invoice, balance in overdue]


def formal_notice_sent(account_id: str, version: int, incident_on: date, sent_on: date, suspension_on: date,
                       overdue: Sequence[tuple[Mapping[str, Any], Balance]], at: datetime) -> Event:
    return _event("billing.formal_notice_sent.v1", account_id, {
        "account_id": account_id, "billing_account_version": version, "incident_on": incident_on.isoformat(),
        "sent_on": sent_on.isoformat(), "suspension_on": suspension_on.isoformat(),
        "amount_due_cents": sum(b.remaining_cents for _, b in overdue), "invoices": overdue_items(overdue)}, at)


def account_suspended(account_id: str, version: int, suspended_on: date, incident_on: date, notice_sent_on: date,
                      overdue: Sequence[tuple[Mapping[str, Any], Balance]], at: datetime) -> Event:
    return _event("billing.account_suspended.v1", account_id, {
        "account_id": account_id, "billing_account_version": version, "suspended_on": suspended_on.isoformat(),
        "incident_on": incident_on.isoformat(), "notice_sent_on": notice_sent_on.isoformat(), "reason": "impaye",
        "amount_due_cents": sum(b.remaining_cents for _, b in overdue), "invoices": overdue_items(overdue)}, at)


def account_reinstated(account_id: str, version: int, reinstated_on: date, suspended_on: date,
                       at: datetime, causation: Event | None = None) -> Event:
    return _event("billing.account_reinstated.v1", account_id, {
        "account_id": account_id, "billing_account_version": version, "reinstated_on": reinstated_on.isoformat(),
        "suspended_on": suspended_on.isoformat()}, at, causation)


def tariff_announced(version: TariffVersion, at: datetime) -> Event:
    assert version.announced_on is not None
    return _event("billing.tariff_announced.v1", version.version, {
        "tariff_version": version.version, "announcement_version": 1,
        "announced_on": version.announced_on.isoformat(), "effective_from": version.effective_from.isoformat(),
        "lines": [{"code": line.code, "label": line.label, "unit_price_cents": line.unit_price_cents,
                   "per": PER[line.code]} for line in version.lines.values()]}, at)


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
