"""Operators' tools: find accounts, association links for dead certificates (B), merges (C), CGU."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_smorest import Blueprint

from scelle_identity.domain.accounts import Account
from scelle_identity.domain.certificates import normalise_serial
from scelle_identity.domain.errors import InvalidRequest
from scelle_identity.entrypoints.api.accounts import certificate_view
from scelle_identity.entrypoints.api.common import actor, services
from scelle_identity.entrypoints.api.schemas import (
    AccountListSchema,
    AccountLookupSchema,
    CguPublicationSchema,
    CguSchema,
    LinkSentSchema,
    MergeRequestSchema,
    MergeSchema,
    OperatorAccountSchema,
)
from scelle_identity.service_layer import accounts, associations

blueprint = Blueprint("operators", __name__, url_prefix="/v1/operator", description="Platform support.")


@blueprint.route("/accounts", methods=["GET"])
@blueprint.arguments(AccountLookupSchema, location="query")
@blueprint.response(200, AccountListSchema)
@blueprint.doc(summary="Find accounts by e-mail or by the serial number of one of their certificates")
def find(query: dict[str, str]) -> dict[str, list[Account]]:
    serial = None
    if query.get("serial"):
        try:
            serial = normalise_serial(query["serial"])
        except ValueError as exc:
            raise InvalidRequest("Numéro de série invalide.", {"/serial": str(exc)}) from None
    return {"accounts": accounts.find_accounts(services(), actor(), email=query.get("email"), serial_hex=serial)}


@blueprint.route("/accounts/<string:account_id>", methods=["GET"])
@blueprint.response(200, OperatorAccountSchema)
@blueprint.doc(summary="An account and its certificates")
def read(account_id: str) -> dict[str, Any]:
    account, records = accounts.account_for_operator(services(), actor(), account_id)
    now = services().clock()
    return {**{name: getattr(account, name) for name in OperatorAccountSchema().fields if hasattr(account, name)},
            "certificates": [certificate_view(r, r.status(now).value, False) for r in records]}


@blueprint.route("/accounts/<string:account_id>/association-links", methods=["POST"])
@blueprint.response(202, LinkSentSchema)
@blueprint.doc(summary="Case B: mail the holder a link to bind a new certificate")
def association_link(account_id: str) -> associations.LinkSent:
    return associations.issue_association_link(services(), actor(), account_id)


@blueprint.route("/merges", methods=["POST"])
@blueprint.arguments(MergeRequestSchema)
@blueprint.response(200, MergeSchema)
@blueprint.doc(summary="Case C: merge a duplicate account into the primary one")
def merge(body: dict[str, str]) -> associations.Merge:
    return associations.merge_accounts(services(), actor(), body["primary_account_id"],
                                       body["duplicate_account_id"], body["reason"])


@blueprint.route("/cgu-versions", methods=["POST"])
@blueprint.arguments(CguPublicationSchema)
@blueprint.response(201, CguSchema)
@blueprint.doc(summary="Publish a new CGU version (everyone accepts it at next login)")
def publish_cgu(body: dict[str, Any]) -> Any:
    effective: datetime | None = body.get("effective_at")
    return accounts.publish_cgu(services(), actor(), body["version"], body["title"], body["body"], effective)
