"""The trusted issuer families, read from files: which family vouches for a certificate, and
whether its issuer's CRL lists it.

Layout: ``<directory>/<family>/**/*.pem``; every ``CERTIFICATE`` block of a CA certificate is a
root (self-issued) or an intermediate of that family, every ``X509 CRL`` block a CRL. Other
blocks (keys that a development PKI keeps beside them) are ignored. ``var/pki/cas`` of the dev
PKI has exactly this shape.

identity re-checks what nginx checked (defence in depth) with the ``cryptography`` path
validator: chain to a trusted root at a moment inside the certificate's validity (so an expired
certificate is told apart from an untrusted one), then each link of the chain against its
issuer's CRL (as OpenSSL's ``CRL_CHECK_ALL``). A missing or out-of-date CRL fails closed, except
for issuers whose revocations identity keeps itself (its software-certificate CA). Files are
re-read when they change, at most every ``reload_seconds``.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from scelle_common.config import ConfigError
from scelle_common.logging import get_logger
from scelle_identity.domain.certificates import TrustVerdict
from scelle_identity.domain.profiles import FAMILIES

log = get_logger(__name__)

_CERT_BEGIN = b"-----BEGIN CERTIFICATE-----"
_CERT_END = b"-----END CERTIFICATE-----"
_CRL_BEGIN = b"-----BEGIN X509 CRL-----"
_CRL_END = b"-----END X509 CRL-----"


def _blocks(data: bytes, begin: bytes, end: bytes) -> Iterable[bytes]:
    start = data.find(begin)
    while start != -1:
        stop = data.find(end, start)
        if stop == -1:
            return
        yield data[start : stop + len(end)]
        start = data.find(begin, stop)


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


@dataclass
class _Material:
    roots: list[x509.Certificate] = field(default_factory=list)
    intermediates: list[x509.Certificate] = field(default_factory=list)
    family_of_ca: dict[bytes, str] = field(default_factory=dict)
    crls: dict[x509.Name, list[x509.CertificateRevocationList]] = field(default_factory=dict)


class TrustStore:
    """The configured issuer families and their CRLs."""

    def __init__(
        self,
        directory: Path,
        families: Sequence[str],
        *,
        reload_seconds: float = 30.0,
        self_managed_issuers: Iterable[x509.Name] = (),
    ) -> None:
        unknown = [name for name in families if name not in FAMILIES]
        if unknown:
            raise ConfigError(f"unknown trusted families {unknown}; known: {', '.join(FAMILIES)}")
        self._directory = Path(directory)
        self._families = tuple(families)
        self._reload_seconds = reload_seconds
        self._self_managed = set(self_managed_issuers)
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self._material = _Material()
        self._reload(force=True)

    # -- loading

    def _files(self) -> list[Path]:
        files = []
        for name in self._families:
            folder = self._directory / name
            if not folder.is_dir():
                raise ConfigError(f"trusted family {name}: {folder} is not a directory")
            files.extend(sorted(path for path in folder.rglob("*.pem") if path.is_file()))
        return files

    def _reload(self, *, force: bool = False) -> None:
        files = self._files()
        signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
        if not force and signature == self._signature:
            return
        material = _Material()
        for name in self._families:
            folder = self._directory / name
            for path in sorted(folder.rglob("*.pem")):
                data = path.read_bytes()
                for block in _blocks(data, _CERT_BEGIN, _CERT_END):
                    certificate = x509.load_pem_x509_certificate(block)
                    if not _is_ca(certificate):
                        continue
                    material.family_of_ca[_der(certificate)] = name
                    if certificate.subject == certificate.issuer:
                        material.roots.append(certificate)
                    else:
                        material.intermediates.append(certificate)
                for block in _blocks(data, _CRL_BEGIN, _CRL_END):
                    crl = x509.load_pem_x509_crl(block)
                    material.crls.setdefault(crl.issuer, []).append(crl)
        if not material.roots:
            raise ConfigError(f"no trusted root CA under {self._directory} for {', '.join(self._families)}")
        self._material = material
        self._signature = signature
        log.info("trust_store.loaded", roots=len(material.roots), intermediates=len(material.intermediates),
                 crls=sum(len(v) for v in material.crls.values()))

    def refresh(self) -> None:
        """Re-read the files if they changed and the reload interval has passed."""
        now = time.monotonic()
        if now - self._checked_at < self._reload_seconds:
            return
        with self._lock:
            self._checked_at = now
            try:
                self._reload()
            except (OSError, ValueError) as exc:  # keep the last good material
                log.error("trust_store.reload_failed", error=type(exc).__name__)

    # -- questions

    def verdict(self, certificate: x509.Certificate, now: datetime) -> TrustVerdict:
        """Which family vouches for ``certificate`` and what its issuers' CRLs say, at ``now``."""
        self.refresh()
        material = self._material
        # Validate the chain at a moment the leaf was valid, so "expired" stays distinct from
        # "untrusted"; the caller compares the validity window with now.
        moment = min(max(now, certificate.not_valid_before_utc), certificate.not_valid_after_utc)
        verifier = PolicyBuilder().store(Store(material.roots)).time(moment).build_client_verifier()
        try:
            chain = verifier.verify(certificate, material.intermediates).chain
        except VerificationError:
            return TrustVerdict(family=None, reason="no trusted issuer")
        family = material.family_of_ca.get(_der(chain[-1]))
        if family is None:
            return TrustVerdict(family=None, reason="no trusted issuer")
        for child, issuer in itertools.pairwise(chain):
            revoked, unknown = self._revocation(material, child, issuer, now)
            if unknown:
                return TrustVerdict(family=family, revocation_unknown=True,
                                    reason=f"no current CRL for {issuer.subject.rfc4514_string()}")
            if revoked is not None:
                return TrustVerdict(family=family, revoked_at=revoked)
        return TrustVerdict(family=family)

    def _revocation(
        self, material: _Material, child: x509.Certificate, issuer: x509.Certificate, now: datetime
    ) -> tuple[datetime | None, bool]:
        current = [
            crl for crl in material.crls.get(issuer.subject, [])
            if _signed_by(crl, issuer) and (crl.next_update_utc is None or crl.next_update_utc >= now)
        ]
        for crl in current:
            entry = crl.get_revoked_certificate_by_serial_number(child.serial_number)
            if entry is not None:
                return entry.revocation_date_utc, False
        if not current and issuer.subject not in self._self_managed:
            return None, True
        return None, False

    def revoked_entries(self, issuer: x509.Certificate) -> list[x509.RevokedCertificate]:
        """Every entry of the configured CRLs of ``issuer`` (to carry them into a new CRL)."""
        self.refresh()
        entries: dict[int, x509.RevokedCertificate] = {}
        for crl in self._material.crls.get(issuer.subject, []):
            if _signed_by(crl, issuer):
                for entry in crl:
                    entries.setdefault(entry.serial_number, entry)
        return list(entries.values())

    def highest_crl_number(self, issuer: x509.Certificate) -> int:
        """The highest CRL number among the configured CRLs of ``issuer`` (0 when none)."""
        numbers = [0]
        for crl in self._material.crls.get(issuer.subject, []):
            try:
                numbers.append(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
            except x509.ExtensionNotFound:
                continue
        return max(numbers)

    def family_of_ca(self, certificate: x509.Certificate) -> str | None:
        """The family whose directory holds this CA certificate, or ``None``."""
        return self._material.family_of_ca.get(_der(certificate))


def _signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    try:
        return crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except (InvalidSignature, TypeError, ValueError):
        return False
