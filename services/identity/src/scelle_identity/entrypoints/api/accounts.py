"""The holder's own account, certificates and association links (case A)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from scelle_identity.domain.accounts import Account
from scelle_identity.domain.certificates import CertificateRecord
from scelle_identity.entrypoints.api.common import actor, services
from scelle_identity.entrypoints.api.registration import address_of
from scelle_identity.entrypoints.api.schemas import (
    AccountSchema,
    AccountUpdateSchema,
    CertificateListSchema,
    LinkInfoSchema,
    LinkSentSchema,
)
from scelle_identity.service_layer import accounts, associations

blueprint = Blueprint("accounts", __name__, url_prefix="/v1", description="My account and certificates.")


def certificate_view(record: CertificateRecord, status: str, current: bool) -> dict[str, Any]:
    return {
        "fingerprint": record.fingerprint, "serial_hex": record.serial_hex, "family": record.family,
        "subject": record.subject, "issuer": record.issuer, "not_before": record.not_before,
        "not_after": record.not_after, "status": status, "software": record.software,
        "expertise_id": record.expertise_id, "bound_at": record.bound_at, "bound_via": record.bound_via,
        "revoked_at": record.revoked_at, "current": current,
    }


@blueprint.route("/accounts/me", methods=["GET"])
@blueprint.response(200, AccountSchema)
@blueprint.doc(summary="My account")
def read_me() -> Account:
    return accounts.own_account(services(), actor())


@blueprint.route("/accounts/me", methods=["PATCH"])
@blueprint.arguments(AccountUpdateSchema)
@blueprint.response(200, AccountSchema)
@blueprint.doc(summary="Change my contact details (e-mail, phones, address)")
def update_me(body: dict[str, Any]) -> Account:
    changes = dict(body)
    if "address" in changes:
        changes["address"] = address_of(changes["address"])
    return accounts.update_own_account(services(), actor(), changes)


@blueprint.route("/accounts/me/certificates", methods=["GET"])
@blueprint.response(200, CertificateListSchema)
@blueprint.doc(summary="My certificates")
def my_certificates() -> dict[str, Any]:
    owned = accounts.own_certificates(services(), actor())
    return {"certificates": [certificate_view(c.record, c.status.value, c.current) for c in owned]}


@blueprint.route("/accounts/me/association-links", methods=["POST"])
@blueprint.response(202, LinkSentSchema)
@blueprint.doc(summary="Case A: mail me a single-use link to bind a new certificate")
def request_association() -> associations.LinkSent:
    return associations.request_association(services(), actor())


@blueprint.route("/association-links/<string:token>", methods=["GET"])
@blueprint.response(200, LinkInfoSchema)
@blueprint.doc(summary="Whether an association link still works")
def association_info(token: str) -> associations.LinkInfo:
    return associations.association_info(services(), actor(), token)


@blueprint.route("/association-links/<string:token>/redeem", methods=["POST"])
@blueprint.response(200, AccountSchema)
@blueprint.doc(summary="Bind the certificate of this request to the link's account")
def redeem_association(token: str) -> Account:
    return associations.redeem_association(services(), actor(), token)
