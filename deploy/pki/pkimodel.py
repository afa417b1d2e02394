"""Pure parts of the Scellé dev PKI: who the issuers and demo users are, what their names and
extensions look like, and which validity windows they get.

Nothing here touches the disk, the clock or a random source (key objects are passed in, ``now`` is
an argument), so every rule can be unit-tested. ``devpki.py`` does the I/O around it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Profiles from DESIGN §6.1. A certificate only *hints* its profile (see PROFILE_ATTRIBUTE); the
# issuer family decides which profiles an account registered with it may take.
PROFILES = ("expert", "avocat", "magistrat", "greffier", "partie", "sapiteur_externe", "operateur")

# Where the profile hint lives in a user certificate's subject: the X.520 `title` attribute
# (2.5.4.12) carries the exact profile id, e.g. ``title=magistrat``. OU stays free for the
# human-readable unit (court, bar, cour d'appel), as in real French user certificates.
PROFILE_ATTRIBUTE = NameOID.TITLE

STATUSES = ("valid", "expired", "revoked", "untrusted", "unregistered")

CRL_REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
}


@dataclass(frozen=True)
class Family:
    """One issuer family (DESIGN §6.8): a root CA, optionally one intermediate that issues users."""

    name: str
    organization: str
    root_cn: str
    intermediate_cn: str | None
    user_organization: str
    profiles: tuple[str, ...]
    trusted: bool = True
    user_validity_days: int = 1095  # 3 years: smart cards and Scellé software certificates alike

    @property
    def issuing_level(self) -> str:
        return "intermediate" if self.intermediate_cn else "root"


FAMILIES: tuple[Family, ...] = (
    Family(
        name="justice",
        organization="Ministere de la Justice",
        root_cn="AC Racine Justice DEV",
        intermediate_cn="AC Justice Agents DEV",
        user_organization="Ministere de la Justice",
        profiles=("magistrat", "greffier"),
    ),
    Family(
        name="avocats",
        organization="Conseil National des Barreaux",
        root_cn="AC Avocats CNB DEV",
        intermediate_cn=None,
        user_organization="Conseil National des Barreaux",
        profiles=("avocat",),
    ),
    Family(
        name="experts",
        organization="CertEurope DEV",
        root_cn="CertEurope Root CA DEV",
        intermediate_cn="CertEurope eID User DEV",
        user_organization="Conseil National des Compagnies d'Experts de Justice",
        profiles=("expert",),
    ),
    Family(
        name="scelle",
        organization="Scelle",
        root_cn="AC Scelle Certificats Logiciels DEV",
        intermediate_cn=None,
        user_organization="Scelle",
        profiles=("partie", "sapiteur_externe", "operateur"),
    ),
)

# A CA that looks like a real one but is deliberately left out of trusted-clients.pem.
UNTRUSTED_FAMILY = Family(
    name="untrusted",
    organization="Autorite de Certification Inconnue",
    root_cn="AC Inconnue DEV (non reconnue)",
    intermediate_cn=None,
    user_organization="Autorite de Certification Inconnue",
    profiles=PROFILES,
    trusted=False,
)

ALL_FAMILIES: tuple[Family, ...] = (*FAMILIES, UNTRUSTED_FAMILY)

SERVER_CA_CN = "Scelle DEV Gateway Server CA"
SERVER_DNS_NAMES = ("scelle.localhost", "localhost")
SERVER_IP_ADDRESSES = ("127.0.0.1", "::1")


def family(name: str) -> Family:
    for f in ALL_FAMILIES:
        if f.name == name:
            return f
    raise ValueError(f"unknown family {name!r}; known: {', '.join(f.name for f in ALL_FAMILIES)}")


@dataclass(frozen=True)
class Identity:
    """What a user certificate is asked for; the certificate itself is made by devpki.py.

    ``registered`` says whether the demo-data loader should create an account for this person
    (the manifest's ``unregistered`` status is a valid, trusted certificate nobody knows yet).
    ``expired`` asks for a validity window entirely in the past. ``revoked`` asks `init` to revoke
    the demo certificate once issued; it is not kept in the record, because revocations live in
    the issuing CA's state (a later `revoke` can hit any certificate).
    """

    name: str
    given_name: str
    surname: str
    profile: str
    family: str
    org_unit: str
    email: str
    registered: bool = True
    expired: bool = False
    revoked: bool = False

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.surname}"

    def as_record(self) -> dict[str, object]:
        return {
            "name": self.name,
            "given_name": self.given_name,
            "surname": self.surname,
            "profile": self.profile,
            "family": self.family,
            "org_unit": self.org_unit,
            "email": self.email,
            "registered": self.registered,
            "expired": self.expired,
        }

    @classmethod
    def from_record(cls, record: dict[str, object]) -> Identity:
        return cls(
            name=str(record["name"]),
            given_name=str(record["given_name"]),
            surname=str(record["surname"]),
            profile=str(record["profile"]),
            family=str(record["family"]),
            org_unit=str(record["org_unit"]),
            email=str(record["email"]),
            registered=bool(record["registered"]),
            expired=bool(record.get("expired", False)),
        )


# E-mail domains are under the reserved `.test` TLD (RFC 2606): dev mail can never reach anyone.
DEMO_IDENTITIES: tuple[Identity, ...] = (
    Identity("magistrat", "Camille", "Rousseau", "magistrat", "justice",
             "Tribunal judiciaire de Paris", "camille.rousseau@justice.test"),
    Identity("greffier", "Julien", "Moreau", "greffier", "justice",
             "Tribunal judiciaire de Paris", "julien.moreau@justice.test"),
    Identity("expert", "Hélène", "Garnier", "expert", "experts",
             "Cour d'appel de Paris", "helene.garnier@experts-justice.test"),
    Identity("expert-2", "Marc", "Lefebvre", "expert", "experts",
             "Cour d'appel de Versailles", "marc.lefebvre@experts-justice.test"),
    Identity("avocat", "Sophie", "Lambert", "avocat", "avocats",
             "Barreau de Paris", "sophie.lambert@avocats-paris.test"),
    Identity("partie", "Jean", "Dupont", "partie", "scelle",
             "Certificats logiciels", "jean.dupont@exemple.test"),
    Identity("sapiteur-externe", "Nadia", "Benali", "sapiteur_externe", "scelle",
             "Certificats logiciels", "nadia.benali@exemple.test"),
    Identity("operateur", "Claire", "Fontaine", "operateur", "scelle",
             "Exploitation", "claire.fontaine@scelle.test"),
    # For tests of the refusal paths.
    Identity("expert-expired", "Pierre", "Lemaire", "expert", "experts",
             "Cour d'appel de Lyon", "pierre.lemaire@experts-justice.test", expired=True),
    Identity("avocat-revoked", "Antoine", "Girard", "avocat", "avocats",
             "Barreau de Paris", "antoine.girard@avocats-paris.test", revoked=True),
    Identity("untrusted-expert", "Inès", "Faure", "expert", "untrusted",
             "Cour d'appel de Paris", "ines.faure@exemple.test", registered=False),
    # Valid certificate from a trusted family that no account knows: the registration flow.
    Identity("expert-unregistered", "Lucie", "Bernard", "expert", "experts",
             "Cour d'appel de Bordeaux", "lucie.bernard@experts-justice.test", registered=False),
)

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def check_identity(identity: Identity) -> None:
    """Raise ValueError when an identity could not be issued as asked."""
    if not _NAME_RE.match(identity.name):
        raise ValueError(f"name {identity.name!r}: use lowercase letters, digits and dashes")
    fam = family(identity.family)
    if identity.profile not in PROFILES:
        raise ValueError(f"unknown profile {identity.profile!r}; known: {', '.join(PROFILES)}")
    if identity.profile not in fam.profiles:
        raise ValueError(
            f"family {fam.name} does not issue {identity.profile!r} certificates "
            f"(it issues: {', '.join(fam.profiles)})"
        )
    if "@" not in identity.email:
        raise ValueError(f"e-mail {identity.email!r} has no @")
    if not identity.given_name.strip() or not identity.surname.strip():
        raise ValueError("given name and surname are required")


# ---------------------------------------------------------------- names


def ca_name(fam: Family, level: str) -> x509.Name:
    cn = fam.root_cn if level == "root" else fam.intermediate_cn
    if cn is None:
        raise ValueError(f"family {fam.name} has no {level} CA")
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, fam.organization),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def user_name(identity: Identity) -> x509.Name:
    fam = family(identity.family)
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, fam.user_organization),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, identity.org_unit),
        x509.NameAttribute(PROFILE_ATTRIBUTE, identity.profile),
        x509.NameAttribute(NameOID.SURNAME, identity.surname),
        x509.NameAttribute(NameOID.GIVEN_NAME, identity.given_name),
        x509.NameAttribute(NameOID.COMMON_NAME, identity.display_name),
    ])


def server_ca_name() -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Scelle"),
        x509.NameAttribute(NameOID.COMMON_NAME, SERVER_CA_CN),
    ])


def server_name() -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Scelle"),
        x509.NameAttribute(NameOID.COMMON_NAME, SERVER_DNS_NAMES[0]),
    ])


# ---------------------------------------------------------------- extensions

Extension = tuple[x509.ExtensionType, bool]  # (value, critical)


def _aki(issuer_key: CertificateIssuerPublicKeyTypes) -> x509.AuthorityKeyIdentifier:
    ski = x509.SubjectKeyIdentifier.from_public_key(issuer_key)
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def ca_extensions(
    public_key: CertificateIssuerPublicKeyTypes,
    issuer_public_key: CertificateIssuerPublicKeyTypes,
    path_length: int | None,
) -> list[Extension]:
    """A CA that signs certificates and CRLs. For a root, issuer_public_key is its own key."""
    return [
        (x509.BasicConstraints(ca=True, path_length=path_length), True),
        (x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False,
        ), True),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
        (_aki(issuer_public_key), False),
    ]


def _leaf_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )


def client_extensions(
    public_key: CertificateIssuerPublicKeyTypes,
    issuer_public_key: CertificateIssuerPublicKeyTypes,
    email: str,
) -> list[Extension]:
    """A TLS client-authentication certificate carrying the holder's e-mail."""
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_leaf_key_usage(), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
        (x509.SubjectAlternativeName([x509.RFC822Name(email)]), False),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
        (_aki(issuer_public_key), False),
    ]


def server_extensions(
    public_key: CertificateIssuerPublicKeyTypes,
    issuer_public_key: CertificateIssuerPublicKeyTypes,
) -> list[Extension]:
    import ipaddress

    names: list[x509.GeneralName] = [x509.DNSName(n) for n in SERVER_DNS_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in SERVER_IP_ADDRESSES]
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_leaf_key_usage(), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.SubjectAlternativeName(names), False),
        (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
        (_aki(issuer_public_key), False),
    ]


# ---------------------------------------------------------------- validity windows


@dataclass(frozen=True)
class Window:
    not_before: dt.datetime
    not_after: dt.datetime

    def contains(self, moment: dt.datetime) -> bool:
        return self.not_before <= moment <= self.not_after


# CAs are backdated two years so that an "expired" user certificate still lies inside its
# issuer's lifetime, as it would in real life.
CA_BACKDATE = dt.timedelta(days=730)
ROOT_LIFETIME = dt.timedelta(days=3650)
INTERMEDIATE_LIFETIME = dt.timedelta(days=3285)
# Leaves start a little in the past so that a machine whose clock lags still accepts them.
LEAF_BACKDATE = dt.timedelta(hours=1)
SERVER_LIFETIME = dt.timedelta(days=397)
EXPIRED_START = dt.timedelta(days=395)
EXPIRED_END = dt.timedelta(days=30)
CRL_BACKDATE = dt.timedelta(minutes=5)


def _clamp(window: Window, issuer: Window | None) -> Window:
    if issuer is None:
        return window
    return Window(max(window.not_before, issuer.not_before), min(window.not_after, issuer.not_after))


def root_window(now: dt.datetime) -> Window:
    start = now - CA_BACKDATE
    return Window(start, start + ROOT_LIFETIME)


def intermediate_window(now: dt.datetime, issuer: Window) -> Window:
    start = now - CA_BACKDATE + dt.timedelta(days=1)
    return _clamp(Window(start, start + INTERMEDIATE_LIFETIME), issuer)


def leaf_window(now: dt.datetime, days: int, issuer: Window | None = None) -> Window:
    """A certificate valid from (almost) now for `days` days, never outliving its issuer."""
    if days <= 0:
        raise ValueError("a certificate must be valid for at least one day")
    start = now - LEAF_BACKDATE
    return _clamp(Window(start, start + dt.timedelta(days=days)), issuer)


def expired_window(now: dt.datetime, issuer: Window | None = None) -> Window:
    """A window that ended a month ago: the certificate is well formed but dead."""
    return _clamp(Window(now - EXPIRED_START, now - EXPIRED_END), issuer)


def server_window(now: dt.datetime, issuer: Window | None = None) -> Window:
    start = now - LEAF_BACKDATE
    return _clamp(Window(start, start + SERVER_LIFETIME), issuer)


def crl_window(now: dt.datetime, days: int) -> Window:
    """(lastUpdate, nextUpdate) of a CRL. nginx rejects every client once nextUpdate passes."""
    if days <= 0:
        raise ValueError("a CRL must stay valid for at least one day")
    return Window(now - CRL_BACKDATE, now + dt.timedelta(days=days))


def crl_needs_refresh(next_update: dt.datetime, now: dt.datetime, margin_days: int = 2) -> bool:
    """`init` re-issues a CRL that has expired or will within the margin (it keeps it otherwise)."""
    return next_update <= now + dt.timedelta(days=margin_days)


# ---------------------------------------------------------------- manifest helpers


def fingerprint_hex(der: bytes) -> str:
    import hashlib

    return hashlib.sha256(der).hexdigest()


def serial_hex(serial: int) -> str:
    """Lowercase hex, no colons, no leading zeros (nginx's $ssl_client_serial is upper case and
    padded to whole bytes: compare with parse_serial on both sides)."""
    return format(serial, "x")


def parse_serial(text: str) -> int:
    """Accepts 0x-prefixed, colon-separated, upper or lower case hex."""
    cleaned = text.strip().lower().removeprefix("0x").replace(":", "").replace(" ", "")
    if not cleaned or not re.fullmatch(r"[0-9a-f]+", cleaned):
        raise ValueError(f"not a hexadecimal serial: {text!r}")
    return int(cleaned, 16)


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def certificate_status(
    *, trusted: bool, revoked: bool, registered: bool, window: Window, now: dt.datetime
) -> str:
    """The one status a demo certificate has in the manifest, in order of what refuses it first."""
    if not trusted:
        return "untrusted"
    if revoked:
        return "revoked"
    if not window.contains(now):
        return "expired"
    return "valid" if registered else "unregistered"
