"""Re-checking a stored certificate before binding it (the token that brought it is minutes old)."""

from __future__ import annotations

from datetime import datetime

from scelle_identity.adapters.x509_certificates import certificate_from_pem
from scelle_identity.domain.certificates import CertificateRecord, CertificateStatus, TrustVerdict
from scelle_identity.domain.errors import Conflict, NotAllowed
from scelle_identity.service_layer.context import Actor, Services
from scelle_identity.service_layer.unit_of_work import IdentityUnitOfWork

_REFUSED = {
    CertificateStatus.UNTRUSTED: "Ce certificat n'est plus reconnu.",
    CertificateStatus.REVOKED: "Ce certificat est révoqué.",
    CertificateStatus.EXPIRED: "Ce certificat a expiré.",
    CertificateStatus.NOT_YET_VALID: "Ce certificat n'est pas encore valide.",
}


def require_valid(services: Services, record: CertificateRecord, now: datetime) -> TrustVerdict:
    """The trust verdict of a stored certificate; :class:`NotAllowed` unless it is valid now."""
    verdict = services.require_trust().verdict(certificate_from_pem(record.pem), now)
    if verdict.family is None or verdict.revocation_unknown:
        status = CertificateStatus.UNTRUSTED
    elif verdict.revoked_at is not None:
        status = CertificateStatus.REVOKED
    else:
        status = record.status(now)
    if status is not CertificateStatus.VALID:
        raise NotAllowed(_REFUSED[status])
    return verdict


def presented_certificate(uow: IdentityUnitOfWork, actor: Actor) -> CertificateRecord:
    """The certificate the actor presented at the gateway, as identity recorded it then."""
    if not actor.fingerprint:
        raise NotAllowed("Aucun certificat n'accompagne ce jeton.")
    record = uow.certificates.get(actor.fingerprint, for_update=True)
    if record is None:
        raise Conflict("Ce certificat n'a pas encore été présenté à la passerelle : reconnectez-vous avec lui.")
    return record
