"""Input schemas (they validate requests; no hand-written validation)."""

from __future__ import annotations

import marshmallow as ma


class PageQuery(ma.Schema):
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 200))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=400))


class DepositQuery(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 1000),
                            metadata={"description": "the file's name (UTF-8, URL-encoded); sanitised, original kept"})


class SubfolderInput(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))


class LockInput(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(1, 1000))


class ArchiveInput(ma.Schema):
    document_ids = ma.fields.List(ma.fields.String(validate=ma.validate.Length(1, 64)), required=True,
                                  validate=ma.validate.Length(1, 5000))
    name = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200))


class SearchQuery(ma.Schema):
    q = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 200))


class ReceiptInput(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE
