"""identity's own check of the certificate chain and CRLs (defence in depth behind nginx)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from cryptography import x509

from scelle_common.config import ConfigError
from scelle_identity.adapters.trust_store import TrustStore

from .conftest import DevPki, devpki

NOW = dt.datetime.now(dt.UTC)
FAMILIES = ("justice", "avocats", "experts", "scelle")


@pytest.fixture
def own_pki(tmp_path) -> DevPki:
    """A dev PKI this test may damage."""
    return DevPki(tmp_path / "pki")


def store(pki: DevPki, **options) -> TrustStore:
    return TrustStore(pki.cas_dir, FAMILIES, reload_seconds=0, **options)


def test_each_family_vouches_for_its_own_certificates(own_pki):
    trust = store(own_pki)
    assert [trust.verdict(own_pki.issue(family).certificate, NOW).family for family in FAMILIES] == list(FAMILIES)
    assert trust.verdict(own_pki.issue("untrusted", "expert").certificate, NOW).family is None


def test_an_expired_certificate_still_has_its_family(own_pki):
    verdict = store(own_pki).verdict(own_pki.issue("experts", expired=True).certificate, NOW)
    assert verdict.family == "experts" and verdict.revoked_at is None


def test_a_revoked_intermediate_revokes_every_certificate_under_it(own_pki):
    cert = own_pki.issue("justice", "magistrat")
    intermediate = next(c for c in x509.load_pem_x509_certificates((own_pki.out / "trusted-clients.pem").read_bytes())
                        if c.subject == cert.certificate.issuer)
    trust = store(own_pki)
    assert trust.verdict(cert.certificate, NOW).revoked_at is None
    devpki.revoke(own_pki.out, intermediate.serial_number, family_name="justice")
    assert trust.verdict(cert.certificate, NOW).revoked_at is not None


def test_a_missing_or_stale_crl_fails_closed(own_pki):
    cert = own_pki.issue("avocats", "avocat")
    trust = store(own_pki)
    devpki.refresh_crls(own_pki.out, days=1, now=NOW - dt.timedelta(days=3))
    time.sleep(0.01)
    assert trust.verdict(cert.certificate, NOW).revocation_unknown
    (own_pki.cas_dir / "avocats" / "root" / "crl.pem").unlink()
    assert trust.verdict(cert.certificate, NOW).revocation_unknown


def test_identity_keeps_the_revocations_of_its_own_ca_without_a_crl_file(own_pki):
    (own_pki.cas_dir / "scelle" / "root" / "crl.pem").unlink()
    cert = own_pki.issue("scelle", "partie")
    ca = x509.load_pem_x509_certificate(own_pki.ca_files("scelle")[0].encode())
    assert store(own_pki).verdict(cert.certificate, NOW).revocation_unknown
    assert not store(own_pki, self_managed_issuers=[ca.subject]).verdict(cert.certificate, NOW).revocation_unknown


def test_an_unknown_family_or_missing_directory_stops_the_service(own_pki, tmp_path):
    with pytest.raises(ConfigError, match="unknown trusted families"):
        TrustStore(own_pki.cas_dir, ("experts", "untrusted"))
    with pytest.raises(ConfigError, match="is not a directory"):
        TrustStore(tmp_path / "nowhere", FAMILIES)
