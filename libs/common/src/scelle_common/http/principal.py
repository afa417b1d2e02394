"""Verification of the principal token the gateway obtains from identity.

The token is a compact JWS signed with Ed25519 (``alg: EdDSA``, ``kid``) whose
claims are ``iss`` = ``scelle-identity``, ``sub`` (account id), ``prf``
(profile), ``cfp`` (SHA-256 certificate fingerprint), ``csn`` (certificate
serial), ``ip``, ``iat``, ``exp`` (at most five minutes after ``iat``) and
``jti``. Services trust nothing else about the caller. The verifier holds a
JWKS, so two keys can be valid during a rotation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import jwt
from flask import g

PRINCIPAL_HEADER = "X-Scelle-Principal"
ISSUER = "scelle-identity"
MAX_LIFETIME_SECONDS = 300
# The profile of a token identity issues to a trusted certificate with no account yet.
REGISTRANT_PROFILE = "registrant"
_REQUIRED_CLAIMS = ["iss", "sub", "prf", "iat", "exp", "jti"]


class InvalidPrincipal(Exception):
    """The token is missing, malformed, forged, expired or signed by an unknown key."""


@dataclass(frozen=True)
class Principal:
    """Who is calling, as proven by identity."""

    account_id: str
    profile: str
    cert_fingerprint: str | None
    cert_serial: str | None
    client_ip: str | None
    token_id: str
    expires_at: datetime

    @property
    def is_service(self) -> bool:
        return self.profile == "service"


class PrincipalVerifier:
    """Verifies principal tokens against a JWKS (JSON text)."""

    def __init__(self, jwks_json: str, *, leeway_seconds: int = 5) -> None:
        try:
            key_set = jwt.PyJWKSet.from_json(jwks_json)
        except (jwt.PyJWKError, json.JSONDecodeError, ValueError) as exc:
            raise ValueError(f"the JWKS is not usable: {exc}") from None
        self._keys = {key.key_id: key for key in key_set.keys if key.key_id}
        if not self._keys:
            raise ValueError("the JWKS holds no key with a 'kid'")
        self._leeway = leeway_seconds

    def verify(self, token: str) -> Principal:
        """Return the principal of a valid token, else raise :class:`InvalidPrincipal`."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidPrincipal("malformed token") from None
        if header.get("alg") != "EdDSA":
            raise InvalidPrincipal("unexpected algorithm")
        key = self._keys.get(header.get("kid", ""))
        if key is None:
            raise InvalidPrincipal("unknown signing key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["EdDSA"],
                issuer=ISSUER,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS, "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidPrincipal("expired token") from None
        except jwt.PyJWTError:
            raise InvalidPrincipal("invalid token") from None
        if int(claims["exp"]) - int(claims["iat"]) > MAX_LIFETIME_SECONDS:
            raise InvalidPrincipal("token lifetime exceeds five minutes")
        return Principal(
            account_id=str(claims["sub"]),
            profile=str(claims["prf"]),
            cert_fingerprint=claims.get("cfp"),
            cert_serial=claims.get("csn"),
            client_ip=claims.get("ip"),
            token_id=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )


def current_principal() -> Principal:
    """The principal of the current request (set before any protected view runs)."""
    principal = getattr(g, "principal", None)
    if principal is None:
        raise RuntimeError("no principal on this request: is the view marked public?")
    return principal


ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def public(view: ViewT) -> ViewT:
    """Mark a view as reachable without a principal token (deny is the default)."""
    view.scelle_public = True  # type: ignore[attr-defined]
    return view
