#!/usr/bin/env python3
"""Scellé dev PKI: issuer CAs, CRLs, the gateway's server certificate and demo user certificates.

DEVELOPMENT MATERIAL ONLY. Every key it writes is unencrypted on disk and every PKCS#12 shares a
published password. Never use any of it outside a developer machine or a CI run.

    .venv/bin/python deploy/pki/devpki.py init   [--out var/pki] [--crl-days 30] [--force]
    .venv/bin/python deploy/pki/devpki.py crl    [--days 30]      # re-issue every CRL
    .venv/bin/python deploy/pki/devpki.py issue  --family experts --profile expert \\
                                                 --given-name Lucie --surname Martin
    .venv/bin/python deploy/pki/devpki.py revoke SERIAL [--family avocats]

See README.md beside this file for the layout of the output directory and manifest.json.
Names, extensions and validity windows are decided in pkimodel.py (pure, unit-tested).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

import pkimodel as m

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "var" / "pki"
DEFAULT_PASSWORD = "scelle"
DEFAULT_CRL_DAYS = 30
KEY_TYPES = ("ec-p256", "rsa-2048")
MARKER = ".devpki"
LOCK = ".lock"
PASSWORD_FILE = "p12-password.txt"
MANIFEST = "manifest.json"
TRUSTED_BUNDLE = "trusted-clients.pem"
CRL_BUNDLE = "crls.pem"
SERVER_CA_FILE = "server-ca.pem"
SERVER_CERT_FILE = "server.pem"
SERVER_KEY_FILE = "server.key.pem"

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class PkiError(Exception):
    """Something the user must fix; printed without a traceback."""


# ---------------------------------------------------------------- files


def write_file(path: Path, data: bytes, *, private: bool = False) -> bool:
    """Atomically write `data`; a file that already holds exactly these bytes is left untouched
    (so that re-running changes nothing, mtimes included). Returns whether it wrote."""
    mode = 0o600 if private else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        if private and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return False
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)  # whatever the umask
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return True


def write_json(path: Path, value: object) -> bool:
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    return write_file(path, text.encode())


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def load_key(path: Path) -> PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        raise PkiError(f"{path}: unsupported key type {type(key).__name__}")
    return key


def spki(public_key: object) -> bytes:
    return public_key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def generate_key(key_type: str) -> PrivateKey:
    if key_type == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa-2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise PkiError(f"unknown key type {key_type!r}; choose one of {', '.join(KEY_TYPES)}")


def window_of(cert: x509.Certificate) -> m.Window:
    return m.Window(cert.not_valid_before_utc, cert.not_valid_after_utc)


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def build_cert(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: object,
    signing_key: PrivateKey,
    window: m.Window,
    extensions: list[m.Extension],
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(window.not_before)
        .not_valid_after(window.not_after)
    )
    for value, critical in extensions:
        builder = builder.add_extension(value, critical)
    return builder.sign(signing_key, hashes.SHA256())


# ---------------------------------------------------------------- the PKI on disk


@dataclass
class CA:
    label: str  # e.g. "justice/intermediate"
    dir: Path
    cert: x509.Certificate
    key: PrivateKey
    parent: CA | None

    @property
    def cert_path(self) -> Path:
        return self.dir / "cert.pem"

    @property
    def key_path(self) -> Path:
        return self.dir / "key.pem"

    @property
    def crl_path(self) -> Path:
        return self.dir / "crl.pem"

    @property
    def state_path(self) -> Path:
        return self.dir / "state.json"


class Pki:
    """One output directory. Methods are idempotent: they reuse what is there and sound."""

    def __init__(self, out: Path, *, now: dt.datetime | None = None, key_type: str = "ec-p256"):
        self.out = out
        self.now = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
        self.key_type = key_type
        self._cas: dict[str, CA] = {}

    # -- paths

    def rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()

    def user_dir(self, name: str) -> Path:
        return self.out / "users" / name

    @property
    def password(self) -> bytes:
        path = self.out / PASSWORD_FILE
        if not path.exists():
            raise PkiError(f"{path} is missing: run `devpki.py init` first")
        return path.read_text(encoding="utf-8").rstrip("\n").encode()

    def ensure_password(self, requested: str | None) -> None:
        path = self.out / PASSWORD_FILE
        if path.exists():
            current = path.read_text(encoding="utf-8").rstrip("\n")
            if requested is not None and requested != current:
                raise PkiError(
                    f"the existing PKCS#12 files use the password in {path}; "
                    "pass --force to regenerate everything with another one"
                )
            return
        write_file(path, ((requested or DEFAULT_PASSWORD) + "\n").encode(), private=True)

    # -- CAs

    def ca(self, fam: m.Family, level: str, *, create: bool = True) -> CA:
        label = f"{fam.name}/{level}"
        if label in self._cas:
            return self._cas[label]
        parent = self.ca(fam, "root", create=create) if level == "intermediate" else None
        directory = self.out / "cas" / fam.name / level
        subject = m.ca_name(fam, level)
        ca = self._load_or_create_ca(label, directory, subject, parent, fam, create=create)
        self._cas[label] = ca
        return ca

    def server_ca(self) -> CA:
        label = "server/root"
        if label not in self._cas:
            self._cas[label] = self._load_or_create_ca(
                label, self.out / "cas" / "server" / "root", m.server_ca_name(), None, None,
                create=True,
            )
        return self._cas[label]

    def _load_or_create_ca(
        self,
        label: str,
        directory: Path,
        subject: x509.Name,
        parent: CA | None,
        fam: m.Family | None,
        *,
        create: bool,
    ) -> CA:
        cert_path, key_path = directory / "cert.pem", directory / "key.pem"
        if cert_path.exists() and key_path.exists():
            cert, key = load_cert(cert_path), load_key(key_path)
            problem = None
            if spki(cert.public_key()) != spki(key.public_key()):
                problem = "its key does not match its certificate"
            elif cert.subject != subject:
                problem = f"its subject is {cert.subject.rfc4514_string()}, expected {subject.rfc4514_string()}"
            elif parent is not None and not issued_by(cert, parent.cert):
                problem = f"it was not issued by the current {parent.label} CA"
            if problem:
                raise PkiError(f"CA {label} in {directory}: {problem}; run `init --force`")
            return CA(label, directory, cert, key, parent)
        if cert_path.exists() or key_path.exists():
            raise PkiError(f"CA {label} in {directory} is half there; run `init --force`")
        if not create:
            raise PkiError(f"CA {label} is missing in {directory}: run `devpki.py init` first")

        key = generate_key(self.key_type)
        if parent is None:
            window = m.root_window(self.now)
            # A root over an intermediate may sign one level of CA below it; otherwise none.
            has_child = fam is not None and fam.intermediate_cn is not None
            extensions = m.ca_extensions(key.public_key(), key.public_key(), 1 if has_child else 0)
            cert = build_cert(subject, subject, key.public_key(), key, window, extensions)
        else:
            window = m.intermediate_window(self.now, window_of(parent.cert))
            extensions = m.ca_extensions(key.public_key(), parent.key.public_key(), 0)
            cert = build_cert(subject, parent.cert.subject, key.public_key(), parent.key, window, extensions)
        write_file(key_path, key_pem(key), private=True)
        write_file(cert_path, cert_pem(cert))
        return CA(label, directory, cert, key, parent)

    def family_cas(self, fam: m.Family, *, create: bool = True) -> list[CA]:
        cas = [self.ca(fam, "root", create=create)]
        if fam.intermediate_cn:
            cas.append(self.ca(fam, "intermediate", create=create))
        return cas

    def issuing_ca(self, fam: m.Family, *, create: bool = True) -> CA:
        return self.family_cas(fam, create=create)[-1]

    # -- CA state and CRLs

    def load_state(self, ca: CA) -> dict:
        if ca.state_path.exists():
            return json.loads(ca.state_path.read_text(encoding="utf-8"))
        return {"crl_number": 0, "revoked": []}

    def revoked_serials(self, ca: CA) -> set[int]:
        return {m.parse_serial(r["serial_hex"]) for r in self.load_state(ca)["revoked"]}

    def ensure_crl(self, ca: CA, days: int, *, refresh: bool = False) -> bool:
        """Issue ca's CRL when asked to, or when the one on disk is missing, stale, expiring or
        does not list exactly the revocations in state.json. Returns whether it issued one."""
        state = self.load_state(ca)
        wanted = {m.parse_serial(r["serial_hex"]) for r in state["revoked"]}
        current = None
        if ca.crl_path.exists():
            current = x509.load_pem_x509_crl(ca.crl_path.read_bytes())
        if not refresh and current is not None:
            sound = (
                current.issuer == ca.cert.subject
                and current.is_signature_valid(ca.key.public_key())  # type: ignore[arg-type]
                and {r.serial_number for r in current} == wanted
                and current.next_update_utc is not None
                and not m.crl_needs_refresh(current.next_update_utc, self.now)
            )
            if sound:
                return False
        number = state["crl_number"]
        if current is not None:
            with contextlib.suppress(x509.ExtensionNotFound):
                number = max(number, current.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
        number += 1
        window = m.crl_window(self.now, days)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.cert.subject)
            .last_update(window.not_before)
            .next_update(window.not_after)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),  # type: ignore[arg-type]
                critical=False,
            )
        )
        for entry in state["revoked"]:
            revoked = (
                x509.RevokedCertificateBuilder()
                .serial_number(m.parse_serial(entry["serial_hex"]))
                .revocation_date(dt.datetime.fromisoformat(entry["revoked_at"].replace("Z", "+00:00")))
                .add_extension(x509.CRLReason(m.CRL_REASONS[entry["reason"]]), critical=False)
                .build()
            )
            builder = builder.add_revoked_certificate(revoked)
        crl = builder.sign(ca.key, hashes.SHA256())
        state["crl_number"] = number
        write_file(ca.crl_path, crl.public_bytes(serialization.Encoding.PEM))
        write_json(ca.state_path, state)
        return True

    def record_revocation(self, ca: CA, serial: int, reason: str) -> bool:
        """Add a serial to ca's revocation list; False when it was already there."""
        if reason not in m.CRL_REASONS:
            raise PkiError(f"unknown reason {reason!r}; choose one of {', '.join(m.CRL_REASONS)}")
        state = self.load_state(ca)
        if serial in {m.parse_serial(r["serial_hex"]) for r in state["revoked"]}:
            return False
        state["revoked"].append(
            {"serial_hex": m.serial_hex(serial), "revoked_at": m.rfc3339(self.now), "reason": reason}
        )
        write_json(ca.state_path, state)
        return True

    # -- leaves

    def ensure_user(self, identity: m.Identity, *, force: bool = False, days: int | None = None) -> bool:
        """Make sure users/<name>/ holds a sound certificate for `identity`. Returns whether it
        issued a new one."""
        m.check_identity(identity)
        fam = m.family(identity.family)
        ca = self.issuing_ca(fam)
        directory = self.user_dir(identity.name)
        key_path, cert_path = directory / "key.pem", directory / "cert.pem"
        write_json(directory / "identity.json", identity.as_record())

        subject = m.user_name(identity)
        cert = load_cert(cert_path) if cert_path.exists() and key_path.exists() else None
        key = load_key(key_path) if key_path.exists() and not force else None
        reusable = (
            cert is not None
            and key is not None
            and not force
            and spki(cert.public_key()) == spki(key.public_key())
            and cert.subject == subject
            and issued_by(cert, ca.cert)
            and (identity.expired or window_of(cert).contains(self.now))
        )
        issued = False
        if not reusable:
            key = key or generate_key(self.key_type)
            issuer_window = window_of(ca.cert)
            if identity.expired:
                window = m.expired_window(self.now, issuer_window)
            else:
                window = m.leaf_window(self.now, days or fam.user_validity_days, issuer_window)
            extensions = m.client_extensions(key.public_key(), ca.key.public_key(), identity.email)
            cert = build_cert(subject, ca.cert.subject, key.public_key(), ca.key, window, extensions)
            write_file(key_path, key_pem(key), private=True)
            write_file(cert_path, cert_pem(cert))
            issued = True
        assert cert is not None and key is not None

        intermediates = [c.cert for c in self.family_cas(fam)[1:]]
        write_file(directory / "chain.pem", b"".join(cert_pem(c) for c in [cert, *intermediates]))
        p12_path = directory / f"{identity.name}.p12"
        if issued or not self._p12_holds(p12_path, cert):
            write_file(p12_path, self._p12(identity, key, cert, intermediates), private=True)
        return issued

    def _p12(
        self, identity: m.Identity, key: PrivateKey, cert: x509.Certificate,
        intermediates: list[x509.Certificate],
    ) -> bytes:
        # PBES2/AES-256 + SHA-256 MAC: what OpenSSL 3, Firefox and Chromium read. (Old macOS
        # keychains want 3DES; convert with `openssl pkcs12 -legacy` if ever needed.)
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(50_000)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(self.password)
        )
        friendly = f"{identity.display_name} - {identity.profile} (Scelle DEV)"
        return pkcs12.serialize_key_and_certificates(
            friendly.encode(), key, cert, intermediates or None, encryption
        )

    def _p12_holds(self, path: Path, cert: x509.Certificate) -> bool:
        if not path.exists():
            return False
        try:
            loaded = pkcs12.load_pkcs12(path.read_bytes(), self.password)
        except ValueError:
            return False
        return loaded.cert is not None and loaded.cert.certificate == cert

    def ensure_server(self) -> bool:
        ca = self.server_ca()
        key_path, cert_path = self.out / SERVER_KEY_FILE, self.out / SERVER_CERT_FILE
        subject = m.server_name()
        if cert_path.exists() and key_path.exists():
            cert, key = load_cert(cert_path), load_key(key_path)
            san = next(
                value for value, _ in m.server_extensions(key.public_key(), ca.key.public_key())
                if isinstance(value, x509.SubjectAlternativeName)
            )
            if (
                spki(cert.public_key()) == spki(key.public_key())
                and cert.subject == subject
                and issued_by(cert, ca.cert)
                and window_of(cert).contains(self.now + dt.timedelta(days=1))
                and cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value == san
            ):
                return False
        key = generate_key(self.key_type)
        window = m.server_window(self.now, window_of(ca.cert))
        extensions = m.server_extensions(key.public_key(), ca.key.public_key())
        cert = build_cert(subject, ca.cert.subject, key.public_key(), ca.key, window, extensions)
        write_file(key_path, key_pem(key), private=True)
        write_file(cert_path, cert_pem(cert))
        return True

    # -- what the rest of the platform reads

    def identities(self) -> list[m.Identity]:
        demo_order = {i.name: n for n, i in enumerate(m.DEMO_IDENTITIES)}
        found = []
        users = self.out / "users"
        if users.exists():
            for record in sorted(users.glob("*/identity.json")):
                found.append(m.Identity.from_record(json.loads(record.read_text(encoding="utf-8"))))
        return sorted(found, key=lambda i: (demo_order.get(i.name, len(demo_order)), i.name))

    def write_bundles(self) -> None:
        trusted = [ca for fam in m.FAMILIES for ca in self.family_cas(fam, create=False)]
        write_file(self.out / TRUSTED_BUNDLE, b"".join(cert_pem(ca.cert) for ca in trusted))
        write_file(self.out / CRL_BUNDLE, b"".join(ca.crl_path.read_bytes() for ca in trusted))
        write_file(self.out / SERVER_CA_FILE, cert_pem(self.server_ca().cert))

    def manifest_entry(self, identity: m.Identity) -> dict[str, object]:
        fam = m.family(identity.family)
        ca = self.issuing_ca(fam, create=False)
        directory = self.user_dir(identity.name)
        cert = load_cert(directory / "cert.pem")
        window = window_of(cert)
        status = m.certificate_status(
            trusted=fam.trusted,
            revoked=cert.serial_number in self.revoked_serials(ca),
            registered=identity.registered,
            window=window,
            now=self.now,
        )
        return {
            "name": identity.name,
            "display_name": identity.display_name,
            "given_name": identity.given_name,
            "surname": identity.surname,
            "email": identity.email,
            "profile": identity.profile,
            "family": identity.family,
            "org_unit": identity.org_unit,
            "registered": identity.registered,
            "status": status,
            "subject": cert.subject.rfc4514_string(),
            "issuer": cert.issuer.rfc4514_string(),
            "cert": self.rel(directory / "cert.pem"),
            "key": self.rel(directory / "key.pem"),
            "chain": self.rel(directory / "chain.pem"),
            "p12": self.rel(directory / f"{identity.name}.p12"),
            "fingerprint_sha256": m.fingerprint_hex(cert.public_bytes(serialization.Encoding.DER)),
            "serial_hex": m.serial_hex(cert.serial_number),
            "not_before": m.rfc3339(window.not_before),
            "not_after": m.rfc3339(window.not_after),
        }

    def _ca_entry(self, ca: CA) -> dict[str, object]:
        crl = x509.load_pem_x509_crl(ca.crl_path.read_bytes())
        window = window_of(ca.cert)
        return {
            "level": ca.label.split("/")[1],
            "subject": ca.cert.subject.rfc4514_string(),
            "cert": self.rel(ca.cert_path),
            "key": self.rel(ca.key_path),
            "crl": self.rel(ca.crl_path),
            "fingerprint_sha256": m.fingerprint_hex(ca.cert.public_bytes(serialization.Encoding.DER)),
            "serial_hex": m.serial_hex(ca.cert.serial_number),
            "not_before": m.rfc3339(window.not_before),
            "not_after": m.rfc3339(window.not_after),
            "crl_number": crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number,
            "crl_next_update": m.rfc3339(crl.next_update_utc) if crl.next_update_utc else None,
        }

    def write_manifest(self) -> bool:
        families = []
        for fam in m.ALL_FAMILIES:
            cas = self.family_cas(fam, create=False)
            families.append({
                "name": fam.name,
                "trusted": fam.trusted,
                "profiles": list(fam.profiles),
                "issuing_ca": self.rel(cas[-1].cert_path),
                "cas": [self._ca_entry(ca) for ca in cas],
            })
        server_ca = self.server_ca()
        manifest = {
            "format": 1,
            "warning": "Scelle DEV PKI: development material only, never use in production",
            "paths_are_relative_to": "the directory holding this manifest",
            "p12_password_file": PASSWORD_FILE,
            "profile_attribute": "title (2.5.4.12) of the subject holds the profile id",
            "serial_format": "lowercase hex, no colons, no leading zeros",
            "gateway": {
                "server_cert": SERVER_CERT_FILE,
                "server_key": SERVER_KEY_FILE,
                "server_ca": SERVER_CA_FILE,
                "server_ca_key": self.rel(server_ca.key_path),
                "server_names": [*m.SERVER_DNS_NAMES, *m.SERVER_IP_ADDRESSES],
                "trusted_clients": TRUSTED_BUNDLE,
                "crls": CRL_BUNDLE,
                "verify_depth": 2 if any(f.intermediate_cn for f in m.FAMILIES) else 1,
            },
            "families": families,
            "identities": [self.manifest_entry(i) for i in self.identities()],
        }
        return write_json(self.out / MANIFEST, manifest)

    def all_crl_cas(self) -> list[CA]:
        return [ca for fam in m.ALL_FAMILIES for ca in self.family_cas(fam, create=False)]


# ---------------------------------------------------------------- commands


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """One devpki process at a time per output directory (tests may run `issue` in parallel)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _require_initialised(out: Path) -> None:
    if not (out / MARKER).exists() or not (out / PASSWORD_FILE).exists():
        raise PkiError(f"{out} holds no dev PKI: run `devpki.py init --out {out}` first")


def _clear(out: Path) -> None:
    entries = [p for p in out.iterdir() if p.name != LOCK]
    if entries and not (out / MARKER).exists():
        raise PkiError(f"{out} is not empty and was not made by devpki.py; refusing to touch it")
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def init(
    out: Path,
    *,
    crl_days: int = DEFAULT_CRL_DAYS,
    force: bool = False,
    key_type: str = "ec-p256",
    p12_password: str | None = None,
    now: dt.datetime | None = None,
) -> Pki:
    """Create (or complete) the whole dev PKI in `out`; with force, start again from nothing."""
    m.crl_window(dt.datetime.now(dt.timezone.utc), crl_days)  # validates crl_days early
    with locked(out):
        if force:
            _clear(out)
        elif any(p.name != LOCK for p in out.iterdir()) and not (out / MARKER).exists():
            raise PkiError(f"{out} is not empty and was not made by devpki.py; refusing to touch it")
        write_file(out / MARKER, b"scelle devpki 1\n")
        pki = Pki(out, now=now, key_type=key_type)
        pki.ensure_password(p12_password)
        for fam in m.ALL_FAMILIES:
            pki.family_cas(fam)
        pki.server_ca()
        pki.ensure_server()
        for identity in m.DEMO_IDENTITIES:
            pki.ensure_user(identity)
            if identity.revoked:
                cert = load_cert(pki.user_dir(identity.name) / "cert.pem")
                pki.record_revocation(pki.issuing_ca(m.family(identity.family)), cert.serial_number, "key_compromise")
        for ca in pki.all_crl_cas():
            pki.ensure_crl(ca, crl_days)
        pki.write_bundles()
        pki.write_manifest()
        return pki


def refresh_crls(out: Path, *, days: int = DEFAULT_CRL_DAYS, now: dt.datetime | None = None) -> Pki:
    """Re-issue every CRL with a fresh nextUpdate (and a new CRL number)."""
    with locked(out):
        _require_initialised(out)
        pki = Pki(out, now=now)
        for ca in pki.all_crl_cas():
            pki.ensure_crl(ca, days, refresh=True)
        pki.write_bundles()
        pki.write_manifest()
        return pki


def issue(
    out: Path,
    identity: m.Identity,
    *,
    days: int | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
) -> dict[str, object]:
    """Issue one more user certificate; an existing one with the same details is reused."""
    with locked(out):
        _require_initialised(out)
        pki = Pki(out, now=now, key_type=_key_type_of(out))
        record = pki.user_dir(identity.name) / "identity.json"
        if record.exists() and not force:
            existing = json.loads(record.read_text(encoding="utf-8"))
            if existing != identity.as_record():
                raise PkiError(
                    f"users/{identity.name} already exists with other details; "
                    "choose another --name or pass --force to replace it"
                )
        pki.ensure_user(identity, force=force, days=days)
        fam = m.family(identity.family)
        pki.ensure_crl(pki.issuing_ca(fam, create=False), DEFAULT_CRL_DAYS)
        pki.write_bundles()
        pki.write_manifest()
        return pki.manifest_entry(identity)


def revoke(
    out: Path,
    serial: int,
    *,
    family_name: str | None = None,
    reason: str = "key_compromise",
    crl_days: int = DEFAULT_CRL_DAYS,
    now: dt.datetime | None = None,
) -> dict[str, object]:
    """Put `serial` on its issuer's CRL and re-issue that CRL (then reload nginx)."""
    with locked(out):
        _require_initialised(out)
        pki = Pki(out, now=now)
        ca = _issuer_of(pki, serial)
        if ca is None:
            if family_name is None:
                raise PkiError(
                    f"no certificate with serial {m.serial_hex(serial)} under {out}; "
                    "pass --family to revoke it in that family's issuing CA anyway"
                )
            ca = pki.issuing_ca(m.family(family_name), create=False)
        elif family_name is not None and ca.label.split("/")[0] != family_name:
            raise PkiError(f"serial {m.serial_hex(serial)} was issued by {ca.label}, not by {family_name}")
        added = pki.record_revocation(ca, serial, reason)
        pki.ensure_crl(ca, crl_days, refresh=added)
        pki.write_bundles()
        pki.write_manifest()
        return {
            "serial_hex": m.serial_hex(serial),
            "ca": ca.label,
            "crl": pki.rel(ca.crl_path),
            "already_revoked": not added,
        }


def _issuer_of(pki: Pki, serial: int) -> CA | None:
    """The CA that issued a certificate found under out/ (users and intermediate CAs)."""
    for identity in pki.identities():
        cert = load_cert(pki.user_dir(identity.name) / "cert.pem")
        if cert.serial_number == serial:
            return pki.issuing_ca(m.family(identity.family), create=False)
    for fam in m.ALL_FAMILIES:
        cas = pki.family_cas(fam, create=False)
        for ca in cas[1:]:
            if ca.cert.serial_number == serial and ca.parent is not None:
                return ca.parent
    return None


def _key_type_of(out: Path) -> str:
    """New keys follow the type of the existing issuer keys."""
    key = load_key(out / "cas" / "scelle" / "root" / "key.pem")
    return "rsa-2048" if isinstance(key, rsa.RSAPrivateKey) else "ec-p256"


# ---------------------------------------------------------------- CLI


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of days")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output directory (default: {DEFAULT_OUT.relative_to(REPO_ROOT)} at the repository root)")

    parser = argparse.ArgumentParser(
        prog="devpki.py",
        description="Scelle dev PKI: development certificates only, never for production.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", parents=[common], help="create or complete the whole dev PKI")
    p.add_argument("--crl-days", type=_positive_int, default=DEFAULT_CRL_DAYS,
                   help="days until each new CRL's nextUpdate (default 30)")
    p.add_argument("--force", action="store_true", help="delete the output directory's content and start again")
    p.add_argument("--key-type", choices=KEY_TYPES, default="ec-p256", help="type of new keys (default ec-p256)")
    p.add_argument("--p12-password", default=None, help=f"PKCS#12 password (default {DEFAULT_PASSWORD!r})")

    p = sub.add_parser("crl", parents=[common], help="re-issue every CRL (nginx rejects all clients once one expires)")
    p.add_argument("--days", type=_positive_int, default=DEFAULT_CRL_DAYS, help="days until nextUpdate (default 30)")

    p = sub.add_parser("issue", parents=[common], help="issue one more user certificate; prints its manifest entry as JSON")
    p.add_argument("--family", required=True, choices=[f.name for f in m.ALL_FAMILIES])
    p.add_argument("--profile", required=True, choices=m.PROFILES)
    p.add_argument("--given-name", required=True)
    p.add_argument("--surname", required=True)
    p.add_argument("--email", help="default: given.surname@exemple.test")
    p.add_argument("--org-unit", help="OU of the subject (default depends on the family)")
    p.add_argument("--name", help="directory and manifest name (default: <profile>-<surname>)")
    p.add_argument("--days", type=_positive_int, help="validity in days (default: the family's, 3 years)")
    p.add_argument("--expired", action="store_true", help="make its validity end 30 days ago")
    p.add_argument("--registered", action="store_true",
                   help="mark it as belonging to a demo account (status valid instead of unregistered)")
    p.add_argument("--force", action="store_true", help="replace an existing user of that name")

    p = sub.add_parser("revoke", parents=[common], help="revoke a certificate by serial and re-issue its CA's CRL")
    p.add_argument("serial", help="hexadecimal serial (colons and 0x accepted)")
    p.add_argument("--family", choices=[f.name for f in m.ALL_FAMILIES],
                   help="needed only when the certificate is not under --out")
    p.add_argument("--reason", choices=list(m.CRL_REASONS), default="key_compromise")
    p.add_argument("--crl-days", type=_positive_int, default=DEFAULT_CRL_DAYS)
    return parser


DEFAULT_ORG_UNITS = {
    "justice": "Tribunal judiciaire de Paris",
    "avocats": "Barreau de Paris",
    "experts": "Cour d'appel de Paris",
    "scelle": "Certificats logiciels",
    "untrusted": "Inconnu",
}


def _ascii_slug(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def identity_from_args(args: argparse.Namespace) -> m.Identity:
    email = args.email or f"{_ascii_slug(args.given_name)}.{_ascii_slug(args.surname)}@exemple.test".replace("-", ".")
    return m.Identity(
        name=args.name or f"{args.profile.replace('_', '-')}-{_ascii_slug(args.surname)}",
        given_name=args.given_name,
        surname=args.surname,
        profile=args.profile,
        family=args.family,
        org_unit=args.org_unit or DEFAULT_ORG_UNITS[args.family],
        email=email,
        registered=args.registered,
        expired=args.expired,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out: Path = args.out.resolve()
    try:
        if args.command == "init":
            pki = init(out, crl_days=args.crl_days, force=args.force, key_type=args.key_type,
                       p12_password=args.p12_password)
            _print_summary(pki)
        elif args.command == "crl":
            pki = refresh_crls(out, days=args.days)
            for ca in pki.all_crl_cas():
                crl = x509.load_pem_x509_crl(ca.crl_path.read_bytes())
                print(f"{ca.label:24} nextUpdate {m.rfc3339(crl.next_update_utc)}  {pki.rel(ca.crl_path)}")  # type: ignore[arg-type]
            print(f"bundle: {out / CRL_BUNDLE}; reload nginx so it reads the new CRLs (nginx -s reload / kill -HUP)")
        elif args.command == "issue":
            identity = identity_from_args(args)
            try:
                m.check_identity(identity)
            except ValueError as exc:
                raise PkiError(str(exc)) from exc
            print(json.dumps(issue(out, identity, days=args.days, force=args.force), indent=2, ensure_ascii=False))
        elif args.command == "revoke":
            try:
                serial = m.parse_serial(args.serial)
            except ValueError as exc:
                raise PkiError(str(exc)) from exc
            result = revoke(out, serial, family_name=args.family, reason=args.reason, crl_days=args.crl_days)
            print(json.dumps(result, indent=2))
            print("reload nginx so it reads the new CRL (nginx -s reload / kill -HUP)", file=sys.stderr)
    except PkiError as exc:
        print(f"devpki: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _print_summary(pki: Pki) -> None:
    out = pki.out
    print(f"Scelle dev PKI in {out} (development material only)")
    print(f"  nginx: ssl_certificate {out / SERVER_CERT_FILE}; ssl_certificate_key {out / SERVER_KEY_FILE};")
    print(f"         ssl_client_certificate {out / TRUSTED_BUNDLE}; ssl_crl {out / CRL_BUNDLE}; ssl_verify_depth 2;")
    print(f"  PKCS#12 password: in {out / PASSWORD_FILE}")
    print(f"  identities: {out / MANIFEST}")
    for identity in pki.identities():
        entry = pki.manifest_entry(identity)
        print(f"    {entry['name']:20} {entry['profile']:16} {entry['family']:9} {entry['status']:12} {entry['display_name']}")
    print("  try: curl --cacert {0}/server-ca.pem --cert {0}/users/expert/chain.pem "
          "--key {0}/users/expert/key.pem https://scelle.localhost:<port>/".format(out))


if __name__ == "__main__":
    sys.exit(main())
