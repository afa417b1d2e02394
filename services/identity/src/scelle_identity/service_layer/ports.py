"""What the use cases need from the outside world, as Protocols (real adapters or test fakes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from scelle_identity.domain.certificates import TrustVerdict

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Mail:
    """One message: plain text, rendered as simple HTML too (paragraphs and one link)."""

    to: str
    subject: str
    paragraphs: tuple[str, ...]
    link: str
    link_label: str


@dataclass(frozen=True)
class Holder:
    """Who a software certificate is for."""

    given_name: str
    surname: str
    email: str
    profile: str
    unit: str = "Certificats logiciels"


@dataclass(frozen=True)
class Issued:
    """A certificate just issued and its private key (which leaves identity only in a PKCS#12)."""

    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey


class Mailer(Protocol):
    def send(self, mail: Mail) -> str: ...


class Signer(Protocol):
    kid: str

    def sign(self, claims: dict[str, Any]) -> str: ...


class Trust(Protocol):
    def verdict(self, certificate: x509.Certificate, now: datetime) -> TrustVerdict: ...

    def revoked_entries(self, issuer: x509.Certificate) -> list[x509.RevokedCertificate]: ...

    def highest_crl_number(self, issuer: x509.Certificate) -> int: ...


class CertificateAuthority(Protocol):
    certificate: x509.Certificate

    def issue(self, holder: Holder, now: datetime, validity: timedelta) -> Issued: ...

    def pkcs12(self, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey, password: str,
               friendly_name: str) -> bytes: ...

    def crl(self, revoked: Iterable[x509.RevokedCertificate], number: int, now: datetime,
            validity: timedelta) -> x509.CertificateRevocationList: ...


@dataclass(frozen=True)
class Policy:
    """The tunable numbers of the service (from settings)."""

    token_ttl_seconds: int = 300
    auth_cache_seconds: int = 30
    association_link_ttl: timedelta = timedelta(minutes=30)
    package_link_ttl: timedelta = timedelta(hours=72)
    software_certificate_validity: timedelta = timedelta(days=1095)
    crl_validity: timedelta = timedelta(days=7)
    public_url: str = "https://scelle.localhost:8443"
