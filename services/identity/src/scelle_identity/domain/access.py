"""Who may pass the gateway, for which route: the decision behind ``/internal/v1/authenticate``.

The gateway asks for every ``/api/`` request; identity answers with a principal token, a
restricted registrant token, nothing at all (public routes), or a refusal. The rules:

* public routes (JWKS, CRLs, software-certificate retrieval) pass without a principal;
* no certificate → 401 ``certificate-required``; untrusted, revoked, expired → 403;
* a trusted certificate no account holds → a registrant token on the registration routes only,
  401 ``certificate-not-registered`` elsewhere;
* a suspended account → 403 except on billing routes (the holder must be able to pay) and the
  CGU routes;
* a CGU version not yet accepted → 403 except on the CGU routes.

Route matching is done on the path as nginx routes it (percent-decoded, dot segments resolved,
slashes merged), never on the raw URI, so ``/api/billing/../expertise/`` is not a billing route.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import unquote

from scelle_identity.domain.certificates import CertificateStatus

IDENTITY_PREFIX = "/api/identity/v1"
BILLING_PREFIX = "/api/billing/"
REGISTRATION_ROUTE = f"{IDENTITY_PREFIX}/registrations"
CGU_CURRENT_ROUTE = f"{IDENTITY_PREFIX}/cgu/current"
CGU_ACCEPTANCE_ROUTE = f"{IDENTITY_PREFIX}/cgu/acceptances"
ASSOCIATION_LINK_ROUTE = f"{IDENTITY_PREFIX}/association-links/{{token}}"

_TOKEN = r"[A-Za-z0-9_-]{16,128}"


def _routes(*pairs: tuple[str, str]) -> tuple[tuple[frozenset[str], re.Pattern[str]], ...]:
    compiled = []
    for methods, pattern in pairs:
        allowed = frozenset(methods.split("|"))
        if "GET" in allowed:
            allowed |= {"HEAD"}
        compiled.append((allowed, re.compile(f"^{pattern}$")))
    return tuple(compiled)


PUBLIC_ROUTES = _routes(
    ("GET", re.escape(f"{IDENTITY_PREFIX}/jwks.json")),
    ("GET", re.escape(f"{IDENTITY_PREFIX}/crls/") + r"[a-z0-9-]+\.(?:crl|pem)"),
    ("GET|POST", re.escape(f"{IDENTITY_PREFIX}/software-certificate-packages/") + _TOKEN),
)
REGISTRANT_ROUTES = _routes(
    ("POST", re.escape(REGISTRATION_ROUTE)),
    ("GET", re.escape(CGU_CURRENT_ROUTE)),
    ("GET", re.escape(f"{IDENTITY_PREFIX}/courts")),
    ("GET", re.escape(f"{IDENTITY_PREFIX}/specialities")),
    ("GET", re.escape(f"{IDENTITY_PREFIX}/association-links/") + _TOKEN),
    ("POST", re.escape(f"{IDENTITY_PREFIX}/association-links/") + _TOKEN + "/redeem"),
)
CGU_ROUTES = _routes(
    ("GET", re.escape(CGU_CURRENT_ROUTE)),
    ("POST", re.escape(CGU_ACCEPTANCE_ROUTE)),
)


def normalise_path(uri: str) -> str | None:
    """The path nginx routes ``uri`` by, or ``None`` when it cannot be a valid route.

    Query and fragment are dropped, ``%XX`` decoded once, repeated slashes merged and ``.``/``..``
    segments resolved; climbing above the root is invalid.
    """
    path = uri.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        return None
    decoded = unquote(path, errors="strict") if "%" in path else path
    if "\x00" in decoded:
        return None
    segments: list[str] = []
    for segment in decoded.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not segments:
                return None
            segments.pop()
            continue
        segments.append(segment)
    trailing = "/" if decoded.endswith("/") and segments else ""
    return "/" + "/".join(segments) + trailing


@dataclass(frozen=True)
class Route:
    """The request the gateway is about to forward."""

    method: str
    path: str | None  # normalised; None when the URI is not a valid path

    @classmethod
    def of(cls, method: str, uri: str) -> Route:
        try:
            path = normalise_path(uri or "")
        except UnicodeDecodeError:
            path = None
        return cls(method=(method or "").upper(), path=path)

    def _matches(self, routes: tuple[tuple[frozenset[str], re.Pattern[str]], ...]) -> bool:
        if self.path is None:
            return False
        return any(self.method in methods and pattern.match(self.path) for methods, pattern in routes)

    @property
    def is_public(self) -> bool:
        return self._matches(PUBLIC_ROUTES)

    @property
    def open_to_registrants(self) -> bool:
        return self._matches(REGISTRANT_ROUTES)

    @property
    def is_cgu(self) -> bool:
        return self._matches(CGU_ROUTES)

    @property
    def is_billing(self) -> bool:
        return self.path is not None and self.path.startswith(BILLING_PREFIX)


class Grant(enum.StrEnum):
    """What the gateway gets back."""

    ANONYMOUS = "anonymous"  # 200 without a principal: the route is public
    PRINCIPAL = "principal"  # 200 with the account's principal token
    REGISTRANT = "registrant"  # 200 with a token that may only register
    REFUSED = "refused"  # 401/403 with a problem


class Refusal(enum.StrEnum):
    """Why a request is refused; the value is the problem type's slug."""

    CERTIFICATE_REQUIRED = "certificate-required"
    CERTIFICATE_NOT_REGISTERED = "certificate-not-registered"
    CERTIFICATE_UNTRUSTED = "certificate-untrusted"
    CERTIFICATE_REVOKED = "certificate-revoked"
    CERTIFICATE_EXPIRED = "certificate-expired"
    CERTIFICATE_NOT_YET_VALID = "certificate-not-yet-valid"
    CERTIFICATE_PROFILE_MISMATCH = "certificate-profile-mismatch"
    ACCOUNT_SUSPENDED = "account-suspended"
    CGU_ACCEPTANCE_REQUIRED = "cgu-acceptance-required"

    @property
    def status(self) -> int:
        return 401 if self in (Refusal.CERTIFICATE_REQUIRED, Refusal.CERTIFICATE_NOT_REGISTERED) else 403


_STATUS_REFUSALS = {
    CertificateStatus.ABSENT: Refusal.CERTIFICATE_REQUIRED,
    CertificateStatus.UNTRUSTED: Refusal.CERTIFICATE_UNTRUSTED,
    CertificateStatus.REVOKED: Refusal.CERTIFICATE_REVOKED,
    CertificateStatus.EXPIRED: Refusal.CERTIFICATE_EXPIRED,
    CertificateStatus.NOT_YET_VALID: Refusal.CERTIFICATE_NOT_YET_VALID,
}


@dataclass(frozen=True)
class AccountState:
    """The parts of the certificate's account that decide access."""

    suspended: bool
    cgu_accepted: bool  # the current CGU version is accepted
    profile_allowed: bool = True  # the certificate's family may carry this account's profile


@dataclass(frozen=True)
class AccessDecision:
    """The answer; ``route_bound`` when it holds only for the route it was asked for."""

    grant: Grant
    refusal: Refusal | None = None
    route_bound: bool = True

    @property
    def reusable_across_routes(self) -> bool:
        """Whether the gateway may cache it per certificate and reuse it for any route."""
        return self.grant is Grant.PRINCIPAL and not self.route_bound


def refused(refusal: Refusal) -> AccessDecision:
    return AccessDecision(Grant.REFUSED, refusal)


def decide(
    route: Route,
    status: CertificateStatus,
    account: AccountState | None,
    *,
    gateway_verified: bool = True,
) -> AccessDecision:
    """The access decision for one request (see the module docstring for the rules)."""
    if route.is_public:
        return AccessDecision(Grant.ANONYMOUS)
    if status is not CertificateStatus.VALID:
        return refused(_STATUS_REFUSALS[status])
    if not gateway_verified:
        # Both the gateway and identity must accept a certificate (defence in depth).
        return refused(Refusal.CERTIFICATE_UNTRUSTED)
    if account is None:
        if route.open_to_registrants:
            return AccessDecision(Grant.REGISTRANT)
        return refused(Refusal.CERTIFICATE_NOT_REGISTERED)
    if not account.profile_allowed:
        return refused(Refusal.CERTIFICATE_PROFILE_MISMATCH)
    if account.suspended and not (route.is_billing or route.is_cgu):
        return refused(Refusal.ACCOUNT_SUSPENDED)
    if not account.cgu_accepted and not route.is_cgu:
        return refused(Refusal.CGU_ACCEPTANCE_REQUIRED)
    # A suspended holder on billing, or one with CGU pending on the CGU routes, passes only there.
    return AccessDecision(Grant.PRINCIPAL, route_bound=account.suspended or not account.cgu_accepted)
