"""The dev PKI, generated into a temporary directory and checked the way its consumers use it:
cryptography's verifier, openssl with CRLs (what nginx does), PKCS#12 with the password, and the
manifest other tests read."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

PKI_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PKI_DIR))

import devpki  # noqa: E402
import pkimodel as m  # noqa: E402

DEVPKI = PKI_DIR / "devpki.py"
NOW = dt.datetime.now(dt.timezone.utc)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DEVPKI), *args], capture_output=True, text=True, timeout=120, check=False
    )


def load_manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def entry(out: Path, name: str) -> dict:
    return next(i for i in load_manifest(out)["identities"] if i["name"] == name)


def cert_of(out: Path, name: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate((out / entry(out, name)["cert"]).read_bytes())


def trusted_bundle(out: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates((out / "trusted-clients.pem").read_bytes())


def crls_in_bundle(out: Path) -> list[x509.CertificateRevocationList]:
    text = (out / "crls.pem").read_text()
    end = "-----END X509 CRL-----"
    blocks = [b + end for b in text.split(end) if b.strip()]
    return [x509.load_pem_x509_crl(b.strip().encode()) for b in blocks]


def client_verifier(out: Path, at: dt.datetime = NOW):
    roots = [c for c in trusted_bundle(out) if c.subject == c.issuer]
    return PolicyBuilder().store(Store(roots)).time(at).build_client_verifier()


def intermediates(out: Path) -> list[x509.Certificate]:
    return [c for c in trusted_bundle(out) if c.subject != c.issuer]


def openssl_verify(out: Path, cert_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", "verify", *extra, "-CAfile", str(out / "trusted-clients.pem"),
         "-CRLfile", str(out / "crls.pem"), str(cert_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".lock"
    }


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dev PKI made once through the CLI, for the tests that only read it."""
    out = tmp_path_factory.mktemp("pki") / "var-pki"
    result = run_cli("init", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def fresh_pki(tmp_path: Path) -> Path:
    """A dev PKI of its own, for tests that change it."""
    out = tmp_path / "pki"
    devpki.init(out)
    return out


# ---------------------------------------------------------------- what init makes


def test_every_demo_identity_asked_for_is_in_the_manifest(pki: Path) -> None:
    names = [i["name"] for i in load_manifest(pki)["identities"]]
    assert names == [i.name for i in m.DEMO_IDENTITIES]
    profiles = {i["profile"] for i in load_manifest(pki)["identities"] if i["status"] == "valid"}
    assert {"magistrat", "greffier", "expert", "avocat", "partie", "operateur"} <= profiles
    experts = [i for i in load_manifest(pki)["identities"] if i["profile"] == "expert" and i["status"] == "valid"]
    assert len(experts) >= 2


def test_manifest_gives_each_test_certificate_its_status(pki: Path) -> None:
    statuses = {i["name"]: i["status"] for i in load_manifest(pki)["identities"]}
    assert statuses["expert-expired"] == "expired"
    assert statuses["avocat-revoked"] == "revoked"
    assert statuses["untrusted-expert"] == "untrusted"
    assert statuses["expert-unregistered"] == "unregistered"
    assert statuses["magistrat"] == "valid"
    assert set(statuses.values()) == set(m.STATUSES)


def test_valid_and_unregistered_certificates_verify_as_client_certificates_up_to_their_family_root(pki: Path) -> None:
    verifier = client_verifier(pki)
    roots_by_family = {
        f["name"]: x509.load_pem_x509_certificate((pki / f["cas"][0]["cert"]).read_bytes())
        for f in load_manifest(pki)["families"]
    }
    checked = 0
    for identity in load_manifest(pki)["identities"]:
        if identity["status"] not in ("valid", "unregistered"):
            continue
        verified = verifier.verify(cert_of(pki, identity["name"]), intermediates(pki))
        assert verified.chain[-1] == roots_by_family[identity["family"]]
        assert verified.subjects == [x509.RFC822Name(identity["email"])]
        checked += 1
    assert checked >= 8


def test_families_with_an_intermediate_issue_users_from_it(pki: Path) -> None:
    verifier = client_verifier(pki)
    magistrat = verifier.verify(cert_of(pki, "magistrat"), intermediates(pki))
    assert [c.subject.rfc4514_string() for c in magistrat.chain[1:]] == [
        "CN=AC Justice Agents DEV,O=Ministere de la Justice,C=FR",
        "CN=AC Racine Justice DEV,O=Ministere de la Justice,C=FR",
    ]
    avocat = verifier.verify(cert_of(pki, "avocat"), intermediates(pki))
    assert len(avocat.chain) == 2


def test_expired_certificate_ended_in_the_past_and_does_not_verify(pki: Path) -> None:
    cert = cert_of(pki, "expert-expired")
    assert cert.not_valid_after_utc < NOW
    assert cert.not_valid_before_utc < cert.not_valid_after_utc
    with pytest.raises(VerificationError, match="not valid at validation time"):
        client_verifier(pki).verify(cert, intermediates(pki))
    # It was nonetheless issued by a trusted CA: only its dates are wrong.
    client_verifier(pki, at=cert.not_valid_before_utc + dt.timedelta(days=1)).verify(cert, intermediates(pki))


def test_untrusted_certificate_issuer_is_not_in_the_trusted_bundle(pki: Path) -> None:
    cert = cert_of(pki, "untrusted-expert")
    assert cert.issuer not in {c.subject for c in trusted_bundle(pki)}
    with pytest.raises(VerificationError):
        client_verifier(pki).verify(cert, intermediates(pki))
    untrusted_root = x509.load_pem_x509_certificate((pki / "cas/untrusted/root/cert.pem").read_bytes())
    cert.verify_directly_issued_by(untrusted_root)  # a real CA, just not one we trust


def test_trusted_bundle_holds_the_four_families_and_nothing_else(pki: Path) -> None:
    organizations = {c.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value for c in trusted_bundle(pki)}
    assert organizations == {"Ministere de la Justice", "Conseil National des Barreaux", "CertEurope DEV", "Scelle"}
    assert all(c.extensions.get_extension_for_class(x509.BasicConstraints).value.ca for c in trusted_bundle(pki))
    server_ca = x509.load_pem_x509_certificate((pki / "server-ca.pem").read_bytes())
    assert server_ca not in trusted_bundle(pki)


def test_revoked_serial_is_on_its_family_crl_and_no_other_demo_serial_is_on_any(pki: Path) -> None:
    revoked = cert_of(pki, "avocat-revoked")
    avocats_crl = x509.load_pem_x509_crl((pki / "cas/avocats/root/crl.pem").read_bytes())
    assert avocats_crl.get_revoked_certificate_by_serial_number(revoked.serial_number) is not None
    listed = {r.serial_number for crl in crls_in_bundle(pki) for r in crl}
    assert listed == {revoked.serial_number}
    others = [cert_of(pki, i["name"]).serial_number for i in load_manifest(pki)["identities"] if i["name"] != "avocat-revoked"]
    assert listed.isdisjoint(others)


def test_crl_bundle_has_a_signed_current_crl_for_every_trusted_ca(pki: Path) -> None:
    # nginx checks every CA of a chain (CRL_CHECK_ALL): roots over an intermediate need a CRL too.
    # Current now, not at import: the module's PKI may be built minutes after collection.
    now = dt.datetime.now(dt.timezone.utc)
    crls = {crl.issuer: crl for crl in crls_in_bundle(pki)}
    for ca in trusted_bundle(pki):
        crl = crls[ca.subject]
        assert crl.is_signature_valid(ca.public_key())
        assert crl.last_update_utc <= now < crl.next_update_utc
        assert crl.next_update_utc - now > dt.timedelta(days=29)
    assert len(crls) == len(trusted_bundle(pki))


def test_client_certificates_have_client_auth_digital_signature_email_and_key_identifiers(pki: Path) -> None:
    serials = set()
    for identity in load_manifest(pki)["identities"]:
        cert = cert_of(pki, identity["name"])
        ext = cert.extensions
        assert ext.get_extension_for_class(x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH])
        key_usage = ext.get_extension_for_class(x509.KeyUsage)
        assert key_usage.critical and key_usage.value.digital_signature and not key_usage.value.key_cert_sign
        assert ext.get_extension_for_class(x509.BasicConstraints).value.ca is False
        assert ext.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.RFC822Name) == [identity["email"]]
        ski = ext.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert ski == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
        aki = ext.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        issuer_cert = _issuing_ca_cert(pki, identity["family"])
        assert aki.key_identifier == issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        assert cert.serial_number.bit_length() > 64
        serials.add(cert.serial_number)
    assert len(serials) == len(load_manifest(pki)["identities"])


def _issuing_ca_cert(pki: Path, family: str) -> x509.Certificate:
    fam = next(f for f in load_manifest(pki)["families"] if f["name"] == family)
    return x509.load_pem_x509_certificate((pki / fam["issuing_ca"]).read_bytes())


def test_subjects_are_french_and_carry_the_profile_in_the_title_attribute(pki: Path) -> None:
    magistrat = cert_of(pki, "magistrat").subject
    assert magistrat.get_attributes_for_oid(NameOID.TITLE)[0].value == "magistrat"
    assert magistrat.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Ministere de la Justice"
    assert magistrat.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "FR"
    assert magistrat.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Camille Rousseau"
    expert = cert_of(pki, "expert").subject
    assert expert.get_attributes_for_oid(NameOID.GIVEN_NAME)[0].value == "Hélène"
    for identity in load_manifest(pki)["identities"]:
        subject = cert_of(pki, identity["name"]).subject
        assert subject.get_attributes_for_oid(m.PROFILE_ATTRIBUTE)[0].value == identity["profile"]


def test_server_certificate_is_valid_for_scelle_localhost_localhost_and_loopback(pki: Path) -> None:
    import ipaddress

    store = Store(x509.load_pem_x509_certificates((pki / "server-ca.pem").read_bytes()))
    server = x509.load_pem_x509_certificate((pki / "server.pem").read_bytes())
    for name in (x509.DNSName("scelle.localhost"), x509.DNSName("localhost"),
                 x509.IPAddress(ipaddress.ip_address("127.0.0.1"))):
        PolicyBuilder().store(store).time(NOW).build_server_verifier(name).verify(server, [])
    assert server.issuer not in {c.subject for c in trusted_bundle(pki)}


def test_pkcs12_files_open_with_the_password_written_in_the_password_file(pki: Path) -> None:
    password = (pki / "p12-password.txt").read_text().strip()
    assert password == "scelle"
    for identity in load_manifest(pki)["identities"]:
        bundle = pkcs12.load_pkcs12((pki / identity["p12"]).read_bytes(), password.encode())
        assert bundle.cert is not None and bundle.cert.certificate == cert_of(pki, identity["name"])
        key_pem = (pki / identity["key"]).read_bytes()
        key = serialization.load_pem_private_key(key_pem, None)
        assert bundle.key is not None
        assert bundle.key.private_numbers() == key.private_numbers()  # type: ignore[union-attr]
        if identity["family"] in ("justice", "experts"):
            assert [c.certificate for c in bundle.additional_certs] == intermediates_of(pki, identity["family"])
    with pytest.raises(ValueError):
        pkcs12.load_pkcs12((pki / entry(pki, "expert")["p12"]).read_bytes(), b"wrong")


def intermediates_of(pki: Path, family: str) -> list[x509.Certificate]:
    fam = next(f for f in load_manifest(pki)["families"] if f["name"] == family)
    return [x509.load_pem_x509_certificate((pki / ca["cert"]).read_bytes()) for ca in fam["cas"][1:]]


def test_manifest_fingerprints_serials_and_dates_match_the_certificate_files(pki: Path) -> None:
    for identity in load_manifest(pki)["identities"]:
        pem = (pki / identity["cert"]).read_bytes()
        cert = x509.load_pem_x509_certificate(pem)
        der = cert.public_bytes(serialization.Encoding.DER)
        assert identity["fingerprint_sha256"] == hashlib.sha256(der).hexdigest()
        assert identity["serial_hex"] == format(cert.serial_number, "x")
        assert identity["not_before"] == cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert identity["not_after"] == cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert identity["subject"] == cert.subject.rfc4514_string()
        chain = x509.load_pem_x509_certificates((pki / identity["chain"]).read_bytes())
        assert chain[0] == cert


def test_private_keys_and_pkcs12_files_are_readable_by_their_owner_only(pki: Path) -> None:
    private = [p for p in pki.rglob("*") if p.name.endswith(("key.pem", ".p12"))]
    assert len(private) >= 2 * len(m.DEMO_IDENTITIES) + 6
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert (pki / "server.key.pem") in private


# ---------------------------------------------------------------- openssl, as nginx checks


def test_openssl_with_crl_checks_accepts_a_valid_certificate_of_every_family(pki: Path) -> None:
    for name in ("magistrat", "greffier", "expert", "expert-2", "avocat", "partie", "operateur", "expert-unregistered"):
        result = openssl_verify(pki, pki / entry(pki, name)["cert"], "-crl_check")
        assert result.returncode == 0 and ": OK" in result.stdout, (name, result.stdout, result.stderr)
        result = openssl_verify(pki, pki / entry(pki, name)["cert"], "-crl_check_all")
        assert result.returncode == 0, (name, result.stdout, result.stderr)


def test_openssl_with_crl_checks_rejects_the_revoked_expired_and_untrusted_certificates(pki: Path) -> None:
    expected = {
        "avocat-revoked": "certificate revoked",
        "expert-expired": "certificate has expired",
        "untrusted-expert": "unable to get local issuer certificate",
    }
    for name, reason in expected.items():
        result = openssl_verify(pki, pki / entry(pki, name)["cert"], "-crl_check")
        assert result.returncode != 0, name
        assert reason in result.stdout + result.stderr, (name, result.stdout, result.stderr)


def test_openssl_accepts_the_server_certificate_against_server_ca(pki: Path) -> None:
    result = subprocess.run(
        ["openssl", "verify", "-CAfile", str(pki / "server-ca.pem"), "-purpose", "sslserver",
         "-verify_hostname", "scelle.localhost", str(pki / "server.pem")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- idempotence and commands


def test_rerunning_init_without_force_changes_nothing(pki: Path) -> None:
    before = snapshot(pki)
    result = run_cli("init", "--out", str(pki))
    assert result.returncode == 0, result.stderr
    assert snapshot(pki) == before


def test_init_completes_a_directory_missing_one_user_without_touching_the_rest(fresh_pki: Path) -> None:
    before = snapshot(fresh_pki)
    for path in (fresh_pki / "users" / "greffier").iterdir():
        path.unlink()
    devpki.init(fresh_pki)
    after = snapshot(fresh_pki)
    changed = {k for k in after if after[k] != before.get(k)}
    assert {"users/greffier/cert.pem", "users/greffier/key.pem", "manifest.json"} <= changed
    assert all(k.startswith("users/greffier/") or k == "manifest.json" for k in changed), changed
    assert openssl_verify(fresh_pki, fresh_pki / "users/greffier/cert.pem", "-crl_check_all").returncode == 0


def test_init_with_force_replaces_every_key_and_certificate(fresh_pki: Path) -> None:
    before = load_manifest(fresh_pki)
    result = run_cli("init", "--out", str(fresh_pki), "--force")
    assert result.returncode == 0, result.stderr
    after = load_manifest(fresh_pki)
    old = {i["fingerprint_sha256"] for i in before["identities"]}
    assert old.isdisjoint(i["fingerprint_sha256"] for i in after["identities"])
    assert before["families"][0]["cas"][0]["fingerprint_sha256"] != after["families"][0]["cas"][0]["fingerprint_sha256"]


def test_init_refuses_a_non_empty_directory_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    result = run_cli("init", "--out", str(tmp_path), "--force")
    assert result.returncode == 1
    assert "refusing" in result.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_crl_command_pushes_every_next_update_forward_and_counts_up(fresh_pki: Path) -> None:
    before = {c.issuer: c for c in crls_in_bundle(fresh_pki)}
    result = run_cli("crl", "--out", str(fresh_pki), "--days", "45")
    assert result.returncode == 0, result.stderr
    assert "reload nginx" in result.stdout
    after = {c.issuer: c for c in crls_in_bundle(fresh_pki)}
    assert after.keys() == before.keys()
    for issuer, crl in after.items():
        assert crl.next_update_utc > before[issuer].next_update_utc
        assert crl.next_update_utc - NOW > dt.timedelta(days=44)
        number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
        assert number == before[issuer].extensions.get_extension_for_class(x509.CRLNumber).value.crl_number + 1
        assert {r.serial_number for r in crl} == {r.serial_number for r in before[issuer]}
    assert openssl_verify(fresh_pki, fresh_pki / "users/avocat-revoked/cert.pem", "-crl_check").returncode != 0
    family = next(f for f in load_manifest(fresh_pki)["families"] if f["name"] == "avocats")
    assert family["cas"][0]["crl_next_update"] == m.rfc3339(after[cert_of(fresh_pki, "avocat").issuer].next_update_utc)


def test_init_reissues_a_crl_that_is_about_to_expire_and_keeps_fresh_ones(fresh_pki: Path) -> None:
    crl_path = fresh_pki / "cas/scelle/root/crl.pem"
    before = crl_path.read_bytes()
    devpki.init(fresh_pki, now=NOW + dt.timedelta(days=10))
    assert crl_path.read_bytes() == before
    devpki.init(fresh_pki, now=NOW + dt.timedelta(days=29))
    assert x509.load_pem_x509_crl(crl_path.read_bytes()).next_update_utc > NOW + dt.timedelta(days=58)


def test_issue_adds_an_unregistered_user_that_verifies_and_is_reused_when_asked_again(fresh_pki: Path) -> None:
    args = ["issue", "--out", str(fresh_pki), "--family", "justice", "--profile", "greffier",
            "--given-name", "Élodie", "--surname", "Chevalier"]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    issued = json.loads(first.stdout)
    assert issued["name"] == "greffier-chevalier"
    assert issued["status"] == "unregistered"
    assert issued["email"] == "elodie.chevalier@exemple.test"
    assert entry(fresh_pki, "greffier-chevalier") == issued
    cert = x509.load_pem_x509_certificate((fresh_pki / issued["cert"]).read_bytes())
    client_verifier(fresh_pki).verify(cert, intermediates(fresh_pki))
    assert openssl_verify(fresh_pki, fresh_pki / issued["cert"], "-crl_check_all").returncode == 0
    again = run_cli(*args)
    assert json.loads(again.stdout)["fingerprint_sha256"] == issued["fingerprint_sha256"]
    devpki.init(fresh_pki)  # init keeps extra users
    assert entry(fresh_pki, "greffier-chevalier")["fingerprint_sha256"] == issued["fingerprint_sha256"]


def test_issue_can_make_a_registered_short_lived_or_expired_certificate(fresh_pki: Path) -> None:
    short = run_cli("issue", "--out", str(fresh_pki), "--family", "scelle", "--profile", "partie",
                    "--given-name", "Luc", "--surname", "Petit", "--days", "5", "--registered")
    assert short.returncode == 0, short.stderr
    issued = json.loads(short.stdout)
    assert issued["status"] == "valid"
    cert = x509.load_pem_x509_certificate((fresh_pki / issued["cert"]).read_bytes())
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=5)
    expired = run_cli("issue", "--out", str(fresh_pki), "--family", "avocats", "--profile", "avocat",
                      "--given-name", "Paul", "--surname", "Roux", "--expired")
    assert json.loads(expired.stdout)["status"] == "expired"


def test_issue_refuses_a_profile_its_family_does_not_issue(fresh_pki: Path) -> None:
    result = run_cli("issue", "--out", str(fresh_pki), "--family", "avocats", "--profile", "magistrat",
                     "--given-name", "Eve", "--surname", "Blanc")
    assert result.returncode == 1
    assert "does not issue 'magistrat'" in result.stderr
    assert not (fresh_pki / "users" / "magistrat-blanc").exists()


def test_issue_needs_an_initialised_directory(tmp_path: Path) -> None:
    result = run_cli("issue", "--out", str(tmp_path / "none"), "--family", "scelle", "--profile", "partie",
                     "--given-name", "A", "--surname", "B")
    assert result.returncode == 1
    assert "init" in result.stderr


def test_revoke_puts_a_certificate_on_its_family_crl_and_openssl_then_refuses_it(fresh_pki: Path) -> None:
    target = entry(fresh_pki, "expert-2")
    assert openssl_verify(fresh_pki, fresh_pki / target["cert"], "-crl_check").returncode == 0
    serial_with_colons = ":".join(f"{b:02X}" for b in bytes.fromhex(target["serial_hex"].zfill(40)))
    result = run_cli("revoke", "--out", str(fresh_pki), serial_with_colons)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "serial_hex": target["serial_hex"], "ca": "experts/intermediate",
        "crl": "cas/experts/intermediate/crl.pem", "already_revoked": False,
    }
    refused = openssl_verify(fresh_pki, fresh_pki / target["cert"], "-crl_check")
    assert refused.returncode != 0 and "certificate revoked" in refused.stdout + refused.stderr
    assert entry(fresh_pki, "expert-2")["status"] == "revoked"
    assert openssl_verify(fresh_pki, fresh_pki / entry(fresh_pki, "expert")["cert"], "-crl_check").returncode == 0
    before = snapshot(fresh_pki)
    again = run_cli("revoke", "--out", str(fresh_pki), target["serial_hex"])
    assert json.loads(again.stdout)["already_revoked"] is True
    assert snapshot(fresh_pki) == before
    devpki.init(fresh_pki)  # a later init keeps the revocation
    assert entry(fresh_pki, "expert-2")["status"] == "revoked"


def test_revoke_of_an_unknown_serial_needs_the_family(fresh_pki: Path) -> None:
    refused = run_cli("revoke", "--out", str(fresh_pki), "0x1234")
    assert refused.returncode == 1 and "--family" in refused.stderr
    done = run_cli("revoke", "--out", str(fresh_pki), "0x1234", "--family", "scelle")
    assert done.returncode == 0, done.stderr
    crl = x509.load_pem_x509_crl((fresh_pki / "cas/scelle/root/crl.pem").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(0x1234) is not None


def test_revoke_refuses_a_family_that_did_not_issue_the_serial(fresh_pki: Path) -> None:
    result = run_cli("revoke", "--out", str(fresh_pki), entry(fresh_pki, "partie")["serial_hex"], "--family", "justice")
    assert result.returncode == 1 and "scelle/root" in result.stderr


def test_a_different_password_without_force_is_refused_rather_than_mixing_passwords(fresh_pki: Path) -> None:
    result = run_cli("init", "--out", str(fresh_pki), "--p12-password", "autre")
    assert result.returncode == 1 and "--force" in result.stderr
    forced = run_cli("init", "--out", str(fresh_pki), "--p12-password", "autre", "--force")
    assert forced.returncode == 0, forced.stderr
    pkcs12.load_pkcs12((fresh_pki / entry(fresh_pki, "partie")["p12"]).read_bytes(), b"autre")


def test_rsa_keys_can_be_asked_for(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    devpki.init(tmp_path / "rsa", key_type="rsa-2048")
    cert = cert_of(tmp_path / "rsa", "magistrat")
    assert isinstance(cert.public_key(), rsa.RSAPublicKey)
    client_verifier(tmp_path / "rsa").verify(cert, intermediates(tmp_path / "rsa"))


# ---------------------------------------------------------------- pure rules (pkimodel)


def test_leaf_window_starts_just_before_now_and_never_outlives_its_issuer() -> None:
    now = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    window = m.leaf_window(now, 1095)
    assert window.not_before == now - dt.timedelta(hours=1)
    assert window.not_after == window.not_before + dt.timedelta(days=1095)
    issuer = m.Window(now - dt.timedelta(days=10), now + dt.timedelta(days=100))
    assert m.leaf_window(now, 1095, issuer).not_after == issuer.not_after
    with pytest.raises(ValueError):
        m.leaf_window(now, 0)


def test_expired_window_lies_in_the_past_and_inside_its_issuer() -> None:
    now = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    root = m.root_window(now)
    window = m.expired_window(now, root)
    assert window.not_after < now and root.contains(window.not_before) and root.contains(window.not_after)
    assert m.intermediate_window(now, root).not_after <= root.not_after


def test_crl_is_refreshed_only_when_its_next_update_is_within_two_days() -> None:
    now = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    assert m.crl_needs_refresh(now - dt.timedelta(seconds=1), now)
    assert m.crl_needs_refresh(now + dt.timedelta(days=1), now)
    assert not m.crl_needs_refresh(now + dt.timedelta(days=3), now)
    window = m.crl_window(now, 30)
    assert window.not_before < now and window.not_after == now + dt.timedelta(days=30)


def test_status_reports_what_refuses_a_certificate_first() -> None:
    now = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    live = m.Window(now - dt.timedelta(days=1), now + dt.timedelta(days=1))
    dead = m.Window(now - dt.timedelta(days=10), now - dt.timedelta(days=1))
    assert m.certificate_status(trusted=False, revoked=True, registered=True, window=dead, now=now) == "untrusted"
    assert m.certificate_status(trusted=True, revoked=True, registered=True, window=dead, now=now) == "revoked"
    assert m.certificate_status(trusted=True, revoked=False, registered=True, window=dead, now=now) == "expired"
    assert m.certificate_status(trusted=True, revoked=False, registered=False, window=live, now=now) == "unregistered"
    assert m.certificate_status(trusted=True, revoked=False, registered=True, window=live, now=now) == "valid"


def test_serials_parse_from_openssl_nginx_and_manifest_spellings() -> None:
    assert m.parse_serial("0A:1B") == m.parse_serial("0a1b") == m.parse_serial("0x0A1B") == 0x0A1B
    assert m.serial_hex(0x0A1B) == "a1b"
    with pytest.raises(ValueError):
        m.parse_serial("zz")


def test_each_family_issues_only_its_profiles() -> None:
    ok = m.Identity("x", "A", "B", "avocat", "avocats", "Barreau de Paris", "a@b.test")
    m.check_identity(ok)
    with pytest.raises(ValueError, match="does not issue"):
        m.check_identity(m.Identity("x", "A", "B", "expert", "avocats", "Barreau de Paris", "a@b.test"))
    with pytest.raises(ValueError, match="lowercase"):
        m.check_identity(m.Identity("X Y", "A", "B", "avocat", "avocats", "Barreau de Paris", "a@b.test"))
    assert {p for f in m.FAMILIES for p in f.profiles} == set(m.PROFILES)


def test_user_names_put_the_profile_in_title_and_the_unit_in_ou() -> None:
    name = m.user_name(m.DEMO_IDENTITIES[0])
    assert name.rfc4514_string() == (
        "CN=Camille Rousseau,2.5.4.42=Camille,2.5.4.4=Rousseau,2.5.4.12=magistrat,"
        "OU=Tribunal judiciaire de Paris,O=Ministere de la Justice,C=FR"
    )


def test_root_over_an_intermediate_allows_one_ca_level_below_it(pki: Path) -> None:
    root = x509.load_pem_x509_certificate((pki / "cas/justice/root/cert.pem").read_bytes())
    inter = x509.load_pem_x509_certificate((pki / "cas/justice/intermediate/cert.pem").read_bytes())
    scelle = x509.load_pem_x509_certificate((pki / "cas/scelle/root/cert.pem").read_bytes())
    path_length = lambda c: c.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length  # noqa: E731
    assert (path_length(root), path_length(inter), path_length(scelle)) == (1, 0, 0)
    assert root.not_valid_before_utc < NOW - dt.timedelta(days=700)


def test_default_output_directory_is_var_pki_at_the_repository_root() -> None:
    assert devpki.DEFAULT_OUT == PKI_DIR.parents[1] / "var" / "pki"
