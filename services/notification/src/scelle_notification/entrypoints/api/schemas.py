"""Marshmallow schemas of the notification API: input validation and the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from scelle_notification.service_layer.queries import STATUSES


class EmailQuerySchema(ma.Schema):
    recipient_account_id = ma.fields.String(validate=validate.Length(max=64))
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    kind = ma.fields.String(validate=validate.Length(max=64))
    cause_event_id = ma.fields.String(validate=validate.Length(max=64))
    cursor = ma.fields.String(validate=validate.Length(max=400))
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class EmailSummarySchema(ma.Schema):
    id = ma.fields.String()
    kind = ma.fields.String()
    status = ma.fields.String(metadata={"description": "pending, sent or failed"})
    recipient_account_id = ma.fields.String(allow_none=True)
    recipient_email = ma.fields.String(allow_none=True)
    recipient_name = ma.fields.String(allow_none=True)
    subject = ma.fields.String(allow_none=True, metadata={"description": "null until first rendered"})
    cause_event_id = ma.fields.String(allow_none=True)
    expertise_id = ma.fields.String(allow_none=True)
    attempts = ma.fields.Integer()
    next_attempt_at = ma.fields.String()
    last_error = ma.fields.String(allow_none=True)
    smtp_code = ma.fields.Integer(allow_none=True)
    message_id = ma.fields.String(allow_none=True)
    created_at = ma.fields.String()
    sent_at = ma.fields.String(allow_none=True)
    failed_at = ma.fields.String(allow_none=True)


class EmailPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(EmailSummarySchema))
    next_cursor = ma.fields.String(allow_none=True)


class EmailSchema(EmailSummarySchema):
    text_body = ma.fields.String(allow_none=True)
    html_body = ma.fields.String(allow_none=True)


class PreferencesSchema(ma.Schema):
    account_id = ma.fields.String(dump_only=True)
    party_activity = ma.fields.Boolean(required=True, metadata={
        "description": "false: the digest leaves out the parties' deposits (magistrats, greffiers, avocats only)"})
    may_opt_out_of_party_activity = ma.fields.Boolean(dump_only=True)
