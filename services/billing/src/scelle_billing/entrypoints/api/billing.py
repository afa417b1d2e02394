"""Cost tracking, invoices (JSON and PDF), payments, billing accounts and terminations, tariffs."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint

from scelle_billing.adapters.pdf import render_invoice
from scelle_billing.domain.tariffs import PER
from scelle_billing.entrypoints.api import schemas
from scelle_billing.entrypoints.api.common import IDEMPOTENCY_DOC, IDEMPOTENCY_HEADER, actor, jsonable, services
from scelle_billing.service_layer import payments, queries

blueprint = Blueprint("billing", __name__, url_prefix="/v1", description="Billing: cost tracking, invoices, payments.")


@blueprint.route("/expertises/<string:expertise_id>/cost", methods=["GET"])
@blueprint.response(200, schemas.CostTrackingSchema)
@blueprint.doc(summary="Suivi du coût: lines, invoices, status and amounts due (owner expert, operators)")
def cost_tracking(expertise_id: str) -> dict[str, Any]:
    return jsonable(queries.cost_tracking(services(), actor(), expertise_id))  # type: ignore[no-any-return]


@blueprint.route("/invoices", methods=["GET"])
@blueprint.arguments(schemas.InvoiceListArgsSchema, location="query")
@blueprint.response(200, schemas.InvoicePageSchema)
@blueprint.doc(summary="My invoices, newest first (operators: any account's, or all)")
def list_invoices(args: dict[str, Any]) -> dict[str, Any]:
    page = queries.list_invoices(services(), actor(), account_id=args.get("account_id"), cursor=args["cursor"],
                                 limit=args["limit"])
    return jsonable(page)  # type: ignore[no-any-return]


@blueprint.route("/invoices/<string:invoice_id>", methods=["GET"])
@blueprint.response(200, schemas.InvoiceSchema)
@blueprint.doc(summary="One invoice with its balance today (billed expert, operators)")
def read_invoice(invoice_id: str) -> dict[str, Any]:
    return jsonable(queries.read_invoice(services(), actor(), invoice_id))  # type: ignore[no-any-return]


@blueprint.route("/invoices/<string:invoice_id>/pdf", methods=["GET"])
@blueprint.response(200, description="the invoice as PDF", content_type="application/pdf")
@blueprint.doc(summary="The invoice as a PDF document, in French (billed expert, operators)")
def invoice_pdf(invoice_id: str) -> Response:
    invoice = jsonable(queries.read_invoice(services(), actor(), invoice_id, action="invoice.download"))
    response = Response(render_invoice(invoice), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="facture-{invoice["number"]}.pdf"'
    return response


@blueprint.route("/invoices/<string:invoice_id>/payments", methods=["POST"])
@blueprint.arguments(schemas.PaymentSchema)
@blueprint.response(201, schemas.PaymentRecordedSchema)
@blueprint.doc(summary="Record a payment received (operators)", **IDEMPOTENCY_DOC)
def record_payment(body: dict[str, Any], invoice_id: str) -> Response:
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()[:200] or None
    recorded = payments.record_payment(services(), actor(), payments.RecordPayment(
        invoice_id=invoice_id, amount_cents=body["amount_cents"], paid_on=body["paid_on"], method=body["method"],
        reference=body.get("reference"), idempotency_key=key))
    payload = jsonable({
        "payment_id": recorded.payment["id"], "invoice_id": invoice_id, "invoice_number": recorded.invoice_number,
        "amount_cents": recorded.payment["amount_cents"], "paid_on": recorded.payment["paid_on"],
        "method": recorded.payment["method"], "paid_total_cents": recorded.balance.paid_cents,
        "remaining_cents": recorded.balance.remaining_cents, "invoice_status": recorded.balance.status})
    response = Response(schemas.PaymentRecordedSchema().dumps(payload), status=200 if recorded.replayed else 201,
                        mimetype="application/json")
    if key:
        response.headers[IDEMPOTENCY_HEADER] = key
    return response


@blueprint.route("/accounts/<string:account_id>/billing", methods=["GET"])
@blueprint.response(200, schemas.BillingAccountSchema)
@blueprint.doc(summary="An account's unpaid invoices and dunning state (the account itself, operators)")
def billing_account(account_id: str) -> dict[str, Any]:
    return jsonable(queries.account_status(services(), actor(), account_id))  # type: ignore[no-any-return]


@blueprint.route("/accounts/<string:account_id>/termination", methods=["POST"])
@blueprint.arguments(schemas.TerminationSchema)
@blueprint.response(201, schemas.TerminationRecordedSchema)
@blueprint.doc(summary="Record the termination of an expert's subscription (operators): three months' notice; "
                       "every expertise that reached en_cours is invoiced by the next daily run")
def record_termination(body: dict[str, Any], account_id: str) -> dict[str, Any]:
    return jsonable(payments.record_termination(services(), actor(), account_id,  # type: ignore[no-any-return]
                                                body["received_on"]))


@blueprint.route("/tariffs", methods=["GET"])
@blueprint.response(200, schemas.TariffsSchema)
@blueprint.doc(summary="Tariff versions with their effective and announcement dates")
def tariffs() -> dict[str, Any]:
    book = services().tariffs
    return jsonable({"items": [{
        "version": v.version, "effective_from": v.effective_from, "announced_on": v.announced_on,
        "lines": [{"code": line.code, "label": line.label, "unit_price_cents": line.unit_price_cents,
                   "per": PER[line.code]} for line in v.lines.values()],
    } for v in book.versions]})  # type: ignore[no-any-return]
