"""Operator actions: record a payment (with ``Idempotency-Key``), record a termination of subscription."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from scelle_billing.domain.calendar import add_months, civil_date
from scelle_billing.domain.errors import Forbidden, InvalidRequest, NotFound
from scelle_billing.domain.late import PAID, Balance
from scelle_billing.service_layer import integration_events as events
from scelle_billing.service_layer.context import Actor, Services, audit_entry
from scelle_billing.service_layer.invoicing import apply_dunning, balances

TERMINATION_NOTICE_MONTHS = 3
METHODS = ("prelevement_sepa", "virement", "cheque", "autre")


@dataclass(frozen=True)
class RecordPayment:
    invoice_id: str
    amount_cents: int
    paid_on: date
    method: str
    reference: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class PaymentRecorded:
    payment: dict[str, Any]
    invoice_number: str
    balance: Balance
    replayed: bool = False


def _operator_only(actor: Actor, action: str, target: str, services: Services) -> None:
    if actor.is_operator:
        return
    with services.unit_of_work() as uow:
        uow.record(audit_entry(actor, action, target, "denied", services.clock(), reason="profile"))
        uow.commit()
    raise Forbidden("Seul un opérateur peut faire cette opération.")


def record_payment(services: Services, actor: Actor, command: RecordPayment) -> PaymentRecorded:
    target = f"invoice:{command.invoice_id}"
    _operator_only(actor, "payment.record", target, services)
    if command.amount_cents <= 0:
        raise InvalidRequest("Le montant doit être positif.")
    try:
        return _record_payment(services, actor, command)
    except IntegrityError:
        if not command.idempotency_key:
            raise
        return _replay(services, actor, command)  # a concurrent retry with the same key won the race


def _replay(services: Services, actor: Actor, command: RecordPayment) -> PaymentRecorded:
    with services.unit_of_work() as uow:
        assert command.idempotency_key is not None
        existing = uow.invoices.payment_by_key(actor.id, command.idempotency_key)
        if existing is None:
            raise NotFound("Paiement introuvable.")
        if (existing["invoice_id"], existing["amount_cents"], existing["paid_on"]) != (
                command.invoice_id, command.amount_cents, command.paid_on):
            raise InvalidRequest("Cette clé d'idempotence a déjà servi pour un autre paiement.")
        invoice = uow.invoices.get(command.invoice_id)
        assert invoice is not None
        today = civil_date(services.clock())
        (_, current), = balances(uow, services, [invoice], max(today, command.paid_on))
        return PaymentRecorded(dict(existing), invoice["number"], current, replayed=True)


def _record_payment(services: Services, actor: Actor, command: RecordPayment) -> PaymentRecorded:
    now = services.clock()
    today = civil_date(now)
    if command.paid_on > today:
        raise InvalidRequest("La date de paiement ne peut pas être dans le futur.")
    if command.idempotency_key:
        with services.unit_of_work() as uow:
            if uow.invoices.payment_by_key(actor.id, command.idempotency_key) is not None:
                return _replay(services, actor, command)
    with services.unit_of_work() as uow:
        invoice = uow.invoices.get(command.invoice_id, for_update=True)
        if invoice is None:
            raise NotFound("Facture introuvable.")
        payment = {"id": services.new_id(), "invoice_id": invoice["id"], "amount_cents": command.amount_cents,
                   "paid_on": command.paid_on, "method": command.method, "reference": command.reference,
                   "recorded_by": actor.id, "recorded_at": now, "idempotency_key": command.idempotency_key}
        uow.invoices.add_payment(**payment)
        (_, current), = balances(uow, services, [invoice], today)
        version = invoice["version"] + 1
        settled = current.status == PAID
        uow.invoices.update(invoice["id"], version=version, paid_cents=current.paid_cents, settled=settled,
                            settled_on=command.paid_on if settled else None)
        uow.publish(events.payment_recorded(invoice, version, payment, current, now))
        apply_dunning(uow, services, invoice["account_id"], today, now, actor)
        uow.record(audit_entry(actor, "payment.record", f"invoice:{invoice['id']}", "recorded", now,
                               number=invoice["number"], amount_cents=command.amount_cents,
                               remaining_cents=current.remaining_cents))
        uow.commit()
        return PaymentRecorded(payment, invoice["number"], current)


def record_termination(services: Services, actor: Actor, account_id: str, received_on: date) -> dict[str, Any]:
    """The owner's termination request (LRAR) received on ``received_on``: every expertise of the
    account that reached ``en_cours`` is invoiced by the next daily run; the subscription ends
    after three months' notice."""
    target = f"account:{account_id}"
    _operator_only(actor, "termination.record", target, services)
    with services.unit_of_work() as uow:
        now = services.clock()
        row = uow.accounts.lock(account_id, now)
        if row["termination_received_on"] is not None:
            received_on = min(received_on, row["termination_received_on"])
        effective_on = add_months(received_on, TERMINATION_NOTICE_MONTHS)
        uow.accounts.update(account_id, now, termination_received_on=received_on,
                            termination_effective_on=effective_on)
        uow.record(audit_entry(actor, "termination.record", target, "recorded", now,
                               received_on=received_on.isoformat(), effective_on=effective_on.isoformat()))
        uow.commit()
    return {"account_id": account_id, "termination_received_on": received_on,
            "termination_effective_on": effective_on}
