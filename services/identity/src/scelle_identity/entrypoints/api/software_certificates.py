"""Software certificates: issue (expert for their expertise, operator), renew, revoke."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint

from scelle_identity.entrypoints.api.accounts import certificate_view
from scelle_identity.entrypoints.api.common import actor, services
from scelle_identity.entrypoints.api.schemas import (
    CertificateSchema,
    IssuedCertificateSchema,
    RevocationSchema,
    SoftwareCertificateRequestSchema,
)
from scelle_identity.service_layer import software_certificates
from scelle_identity.service_layer.software_certificates import IssuedCertificate, IssueRequest

blueprint = Blueprint("software_certificates", __name__, url_prefix="/v1",
                      description="Scellé's own certificates for parties, sapiteurs and operators.")


def issued_view(issued: IssuedCertificate, now_status: str = "valid") -> dict[str, Any]:
    return {"account_id": issued.account.id, "certificate": certificate_view(issued.record, now_status, False),
            "sent_to": issued.sent_to, "link_expires_at": issued.link_expires_at}


@blueprint.route("/software-certificates", methods=["POST"])
@blueprint.arguments(SoftwareCertificateRequestSchema)
@blueprint.response(201, IssuedCertificateSchema)
@blueprint.doc(summary="Issue a software certificate; its one-time retrieval link is mailed to the holder",
               parameters=[{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}])
def issue(body: dict[str, Any]) -> dict[str, Any]:
    key = (request.headers.get("Idempotency-Key") or "").strip()[:200] or None
    issued = software_certificates.issue_software_certificate(services(), actor(), IssueRequest(**body), key)
    return issued_view(issued)


@blueprint.route("/software-certificates/<string:fingerprint>/renewal", methods=["POST"])
@blueprint.response(201, IssuedCertificateSchema)
@blueprint.doc(summary="Issue a new certificate for the same holder and expertise")
def renew(fingerprint: str) -> dict[str, Any]:
    return issued_view(software_certificates.renew_software_certificate(services(), actor(), fingerprint.lower()))


@blueprint.route("/certificates/<string:fingerprint>/revocation", methods=["POST"])
@blueprint.arguments(RevocationSchema)
@blueprint.response(200, CertificateSchema)
@blueprint.doc(summary="Revoke a certificate (its holder, who had it issued, or an operator)")
def revoke(body: dict[str, str], fingerprint: str) -> dict[str, Any]:
    record = software_certificates.revoke_certificate(services(), actor(), fingerprint.lower(), body["reason"])
    return certificate_view(record, "revoked", False)
