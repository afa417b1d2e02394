"""Scellé's software-certificate CA: issues client certificates, PKCS#12 packages and CRLs.

Certificates follow the conventions of the dev PKI (``deploy/pki``) so that the gateway and the
trust store read them like any other: ``C=FR, O=Scelle, OU=<unit>, title=<profile>, SN, GN, CN``,
``clientAuth``, the holder's e-mail in ``subjectAltName``, ECDSA P-256 keys, SHA-256 signatures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from scelle_common.config import ConfigError
from scelle_identity.service_layer.ports import Holder, Issued

# Leaves start a little in the past so that a client whose clock lags still accepts them.
BACKDATE = timedelta(hours=1)
ORGANIZATION = "Scelle"

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


class SoftwareCA:
    """The CA certificate and its private key (from IDENTITY_SOFTWARE_CA_CERT/KEY_FILE)."""

    def __init__(self, certificate_pem: str, key_pem: str) -> None:
        try:
            self.certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
            key = serialization.load_pem_private_key(key_pem.encode(), password=None)
        except ValueError:
            raise ConfigError("the software-certificate CA certificate or key is not PEM") from None
        if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey)):
            raise ConfigError("the software-certificate CA key has an unsupported type")
        public = self.certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        if key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != public:
            raise ConfigError("the software-certificate CA key does not match its certificate")
        self._key: SigningKey = key

    def _algorithm(self) -> hashes.HashAlgorithm | None:
        return None if isinstance(self._key, ed25519.Ed25519PrivateKey) else hashes.SHA256()

    def issue(self, holder: Holder, now: datetime, validity: timedelta) -> Issued:
        """A new key pair and its certificate, valid from (almost) now, never beyond the CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        not_before = max(now - BACKDATE, self.certificate.not_valid_before_utc)
        not_after = min(now + validity, self.certificate.not_valid_after_utc)
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, holder.unit),
            x509.NameAttribute(NameOID.TITLE, holder.profile),
            x509.NameAttribute(NameOID.SURNAME, holder.surname),
            x509.NameAttribute(NameOID.GIVEN_NAME, holder.given_name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{holder.given_name} {holder.surname}"[:64]),
        ])
        ca_ski = x509.SubjectKeyIdentifier.from_public_key(self.certificate.public_key())  # type: ignore[arg-type]
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(holder.email)]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .sign(self._key, self._algorithm())  # type: ignore[arg-type]
        )
        return Issued(certificate, key)

    def pkcs12(self, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey, password: str,
               friendly_name: str) -> bytes:
        """A PKCS#12 (PBES2/AES-256, SHA-256 MAC: what OpenSSL 3, Firefox and Chromium import)."""
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(50_000)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(password.encode())
        )
        return pkcs12.serialize_key_and_certificates(
            friendly_name.encode(), key, certificate, [self.certificate], encryption)

    def crl(self, revoked: Iterable[x509.RevokedCertificate], number: int, now: datetime,
            validity: timedelta) -> x509.CertificateRevocationList:
        """A CRL of this CA listing ``revoked``, valid from now for ``validity``."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(now - timedelta(minutes=5))
            .next_update(now + validity)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self._key.public_key()), critical=False)  # type: ignore[arg-type]
        )
        for entry in revoked:
            builder = builder.add_revoked_certificate(entry)
        return builder.sign(self._key, self._algorithm())  # type: ignore[arg-type]


def revoked_entry(serial: int, when: datetime, reason: str) -> x509.RevokedCertificate:
    """One CRL entry with its reason code."""
    builder = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
    flag = getattr(x509.ReasonFlags, reason, None)
    if flag is not None and flag is not x509.ReasonFlags.unspecified:
        builder = builder.add_extension(x509.CRLReason(flag), critical=False)
    return builder.build()
