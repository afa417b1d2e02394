"""Principal tokens (DESIGN §3): their claims and how long they live.

Every token lives at most five minutes. A registrant token (a trusted certificate nobody holds
yet) lives two minutes: long enough to fill the registration form, short enough not to matter.
"""

from __future__ import annotations

from typing import Any

from scelle_identity.domain.profiles import REGISTRANT

ISSUER = "scelle-identity"
MAX_LIFETIME_SECONDS = 300
REGISTRANT_LIFETIME_SECONDS = 120
REGISTRANT_SUBJECT_PREFIX = "cert:"


def lifetime_seconds(profile: str, configured: int) -> int:
    """How long a token for ``profile`` lives, given the configured lifetime (never above the caps)."""
    if configured <= 0:
        raise ValueError("a token lifetime is a positive number of seconds")
    cap = REGISTRANT_LIFETIME_SECONDS if profile == REGISTRANT else MAX_LIFETIME_SECONDS
    return min(configured, cap)


def registrant_subject(fingerprint: str) -> str:
    """``sub`` of a registrant token: the certificate, since there is no account yet."""
    return REGISTRANT_SUBJECT_PREFIX + fingerprint


def principal_claims(
    *,
    subject: str,
    profile: str,
    fingerprint: str | None,
    serial: str | None,
    client_ip: str | None,
    issued_at: int,
    lifetime: int,
    token_id: str,
) -> dict[str, Any]:
    """The claims of DESIGN §3, in that order."""
    if lifetime > MAX_LIFETIME_SECONDS:
        raise ValueError("a principal token lives at most five minutes")
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": subject,
        "prf": profile,
        "cfp": fingerprint,
        "csn": serial,
        "ip": client_ip,
        "iat": issued_at,
        "exp": issued_at + lifetime,
        "jti": token_id,
    }
    return {name: value for name, value in claims.items() if value is not None}
