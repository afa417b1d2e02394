"""What identity knows about a presented certificate, and the one status it ends up with.

The checks themselves (chain, signatures, CRLs) are done by the trust-store adapter; this module
orders their results the way a request is refused: untrusted, then revoked, then expired.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

_HEX = re.compile(r"^[0-9a-f]+$")


class CertificateStatus(enum.StrEnum):
    """The state of a certificate at one moment, in the order checks refuse it."""

    ABSENT = "absent"
    UNTRUSTED = "untrusted"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    VALID = "valid"


@dataclass(frozen=True)
class CertificateFacts:
    """The parts of an X.509 certificate identity uses (parsed by an adapter)."""

    fingerprint: str  # SHA-256 of the DER encoding, lowercase hex, no colons
    serial_hex: str  # lowercase hex, no leading zeros
    subject: str  # RFC 4514
    issuer: str  # RFC 4514
    not_before: datetime
    not_after: datetime
    given_name: str | None = None
    surname: str | None = None
    common_name: str | None = None
    email: str | None = None
    profile_hint: str | None = None  # the subject's ``title`` attribute (deploy/pki convention)
    org_unit: str | None = None


@dataclass(frozen=True)
class TrustVerdict:
    """What the configured issuers say about a certificate, whatever the time.

    ``family`` is ``None`` when no trusted issuer vouches for it. ``revoked_at`` is set when the
    issuer's CRL lists it. ``revocation_unknown`` is set when a CRL that should be consulted is
    missing or out of date: identity then fails closed.
    """

    family: str | None
    revoked_at: datetime | None = None
    revocation_unknown: bool = False
    reason: str | None = None


def status_of(
    facts: CertificateFacts | None,
    verdict: TrustVerdict | None,
    now: datetime,
    *,
    revoked_locally: bool = False,
) -> CertificateStatus:
    """The one status of a certificate at ``now``; identity's own revocation state counts too."""
    if facts is None or verdict is None:
        return CertificateStatus.ABSENT
    if verdict.family is None or verdict.revocation_unknown:
        return CertificateStatus.UNTRUSTED
    if verdict.revoked_at is not None or revoked_locally:
        return CertificateStatus.REVOKED
    if now > facts.not_after:
        return CertificateStatus.EXPIRED
    if now < facts.not_before:
        return CertificateStatus.NOT_YET_VALID
    return CertificateStatus.VALID


def serial_hex(serial: int) -> str:
    """A serial number as stored and published: lowercase hex, no colons, no leading zeros."""
    return format(serial, "x")


def normalise_serial(text: str) -> str:
    """Any spelling of a serial (``0x``, colons, upper case, padding) in the stored form."""
    cleaned = text.strip().lower().removeprefix("0x").replace(":", "").replace(" ", "")
    if not cleaned or not _HEX.match(cleaned):
        raise ValueError("a serial number is hexadecimal")
    return serial_hex(int(cleaned, 16))


@dataclass(frozen=True)
class CertificateRecord:
    """A certificate as identity stores it: the facts, its family, and what happened to it."""

    fingerprint: str
    serial_hex: str
    family: str
    issuer: str
    subject: str
    not_before: datetime
    not_after: datetime
    pem: str
    first_seen_at: datetime
    account_id: str | None = None
    bound_at: datetime | None = None
    bound_via: str | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None
    software: bool = False
    expertise_id: str | None = None
    issued_by: str | None = None
    renewal_of: str | None = None

    def status(self, now: datetime) -> CertificateStatus:
        """The stored view of its status (the trust store adds the issuers' CRLs)."""
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if now > self.not_after:
            return CertificateStatus.EXPIRED
        if now < self.not_before:
            return CertificateStatus.NOT_YET_VALID
        return CertificateStatus.VALID

