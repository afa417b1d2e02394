"""Marshmallow schemas of the billing API: input validation and the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from scelle_billing.service_layer.payments import METHODS


class PaymentSchema(ma.Schema):
    amount_cents = ma.fields.Integer(required=True, validate=validate.Range(min=1, max=10**10),
                                     metadata={"description": "euro cents received"})
    paid_on = ma.fields.Date(required=True, metadata={"description": "the day the money was received"})
    method = ma.fields.String(required=True, validate=validate.OneOf(METHODS))
    reference = ma.fields.String(allow_none=True, validate=validate.Length(max=200))


class TerminationSchema(ma.Schema):
    received_on = ma.fields.Date(required=True, metadata={"description": "day the termination letter (LRAR) "
                                                                         "was received"})


class InvoiceLineSchema(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    quantity = ma.fields.Integer()
    unit_price_cents = ma.fields.Integer()
    amount_cents = ma.fields.Integer()


class InvoiceSchema(ma.Schema):
    id = ma.fields.String()
    number = ma.fields.String()
    version = ma.fields.Integer()
    expertise_id = ma.fields.String()
    account_id = ma.fields.String()
    kind = ma.fields.String()
    kind_label = ma.fields.String()
    tariff_version = ma.fields.String()
    issued_on = ma.fields.String()
    due_on = ma.fields.String()
    payment_method = ma.fields.String()
    payment_method_label = ma.fields.String()
    lines = ma.fields.List(ma.fields.Nested(InvoiceLineSchema))
    total_ht_cents = ma.fields.Integer()
    vat_rate_percent = ma.fields.String()
    vat_cents = ma.fields.Integer()
    total_ttc_cents = ma.fields.Integer()
    paid_cents = ma.fields.Integer()
    indemnity_cents = ma.fields.Integer()
    interest_cents = ma.fields.Integer()
    interest_provisional = ma.fields.Boolean()
    days_late = ma.fields.Integer()
    remaining_cents = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "a_payer, en_retard or payee"})
    status_label = ma.fields.String()
    settled_on = ma.fields.String(allow_none=True)
    display_name = ma.fields.String(allow_none=True)
    en_cours_on = ma.fields.String(allow_none=True)


class InvoiceListArgsSchema(ma.Schema):
    account_id = ma.fields.String(validate=validate.Length(min=1, max=64),
                                  metadata={"description": "operators: one account's invoices (default: all)"})
    cursor = ma.fields.String(load_default=None, validate=validate.Length(max=100))
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class InvoicePageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(InvoiceSchema))
    next_cursor = ma.fields.String(allow_none=True)


class CostLineSchema(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String(allow_none=True)
    unit_price_cents = ma.fields.Integer(allow_none=True)
    accrued_at = ma.fields.String()
    invoice_number = ma.fields.String(allow_none=True)


class CostTrackingSchema(ma.Schema):
    expertise_id = ma.fields.String()
    display_name = ma.fields.String(allow_none=True)
    status = ma.fields.String(allow_none=True)
    en_cours_on = ma.fields.String(allow_none=True)
    tariff_version = ma.fields.String(allow_none=True)
    first_invoice_on = ma.fields.String(allow_none=True)
    final_report_on = ma.fields.String(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(CostLineSchema))
    invoices = ma.fields.List(ma.fields.Nested(InvoiceSchema))
    accrued_ht_cents = ma.fields.Integer()
    not_yet_invoiced_ht_cents = ma.fields.Integer()
    invoiced_ttc_cents = ma.fields.Integer()
    amount_due_cents = ma.fields.Integer()


class PaymentRecordedSchema(ma.Schema):
    payment_id = ma.fields.String()
    invoice_id = ma.fields.String()
    invoice_number = ma.fields.String()
    amount_cents = ma.fields.Integer()
    paid_on = ma.fields.String()
    method = ma.fields.String()
    paid_total_cents = ma.fields.Integer()
    remaining_cents = ma.fields.Integer()
    invoice_status = ma.fields.String()


class BillingAccountSchema(ma.Schema):
    account_id = ma.fields.String()
    incident_on = ma.fields.String(allow_none=True)
    formal_notice_sent_on = ma.fields.String(allow_none=True)
    suspended_on = ma.fields.String(allow_none=True)
    termination_received_on = ma.fields.String(allow_none=True)
    termination_effective_on = ma.fields.String(allow_none=True)
    open_invoices = ma.fields.List(ma.fields.Nested(InvoiceSchema))
    amount_due_cents = ma.fields.Integer()


class TerminationRecordedSchema(ma.Schema):
    account_id = ma.fields.String()
    termination_received_on = ma.fields.String()
    termination_effective_on = ma.fields.String()


class TariffLineSchema(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    unit_price_cents = ma.fields.Integer()
    per = ma.fields.String()


class TariffVersionSchema(ma.Schema):
    version = ma.fields.String()
    effective_from = ma.fields.String()
    announced_on = ma.fields.String(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(TariffLineSchema))


class TariffsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TariffVersionSchema))
