"""Reading client certificates: the gateway's URL-encoded PEM, and the facts identity keeps."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from scelle_identity.domain.certificates import CertificateFacts, serial_hex

MAX_HEADER_BYTES = 32_768  # a client certificate is a few kB; anything larger is not one


class UnreadableCertificate(ValueError):
    """The gateway handed over something that is not one PEM certificate."""


def certificate_from_header(value: str | None) -> x509.Certificate | None:
    """The certificate in ``$ssl_client_escaped_cert`` (URL-encoded PEM), ``None`` when empty."""
    if value is None or not value.strip():
        return None
    if len(value) > MAX_HEADER_BYTES:
        raise UnreadableCertificate("certificate header too large")
    return certificate_from_pem(unquote(value.strip()))


def certificate_from_pem(pem: str | bytes) -> x509.Certificate:
    """One PEM certificate; :class:`UnreadableCertificate` otherwise."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        raise UnreadableCertificate("not a PEM certificate") from None


def pem_of(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def fingerprint_of(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER encoding, lowercase hex (nginx's own fingerprint variable is SHA-1)."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value.decode() if isinstance(value, bytes) else str(value)


def _email(certificate: x509.Certificate) -> str | None:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return _attribute(certificate.subject, NameOID.EMAIL_ADDRESS)
    emails = names.get_values_for_type(x509.RFC822Name)
    return emails[0] if emails else _attribute(certificate.subject, NameOID.EMAIL_ADDRESS)


def facts_of(certificate: x509.Certificate) -> CertificateFacts:
    """What identity records and decides on (names as the issuer certified them, UTF-8)."""
    subject = certificate.subject
    return CertificateFacts(
        fingerprint=fingerprint_of(certificate),
        serial_hex=serial_hex(certificate.serial_number),
        subject=subject.rfc4514_string()[:500],
        issuer=certificate.issuer.rfc4514_string()[:500],
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        given_name=_attribute(subject, NameOID.GIVEN_NAME),
        surname=_attribute(subject, NameOID.SURNAME),
        common_name=_attribute(subject, NameOID.COMMON_NAME),
        email=_email(certificate),
        profile_hint=_attribute(subject, NameOID.TITLE),
        org_unit=_attribute(subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
    )
