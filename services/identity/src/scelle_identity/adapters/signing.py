"""Principal-token signing keys: the signer, and the key files the ``keys`` commands manage.

Files in a keys directory (the same shape as ``deploy/local/devkeys.py`` writes):

* ``principal-signing.jwk.json`` — the current Ed25519 private JWK (``kid`` = RFC 7638
  thumbprint, ``alg`` EdDSA), mode 0600: ``IDENTITY_SIGNING_KEY_FILE``;
* ``principal-signing.next.jwk.json`` — a staged next key, during a rotation only;
* ``jwks.json`` — the public keys every service verifies with (``<SVC>_JWKS_FILE``).

Rotation without a failed request: ``stage`` (the JWKS gains the next key; roll it out to every
service), ``promote`` (identity signs with it; the JWKS keeps the previous key for tokens in
flight; restart identity), then after five minutes ``prune`` (the JWKS drops the previous key).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from scelle_common.config import ConfigError

PRIVATE_NAME = "principal-signing.jwk.json"
NEXT_NAME = "principal-signing.next.jwk.json"
PUBLIC_NAME = "jwks.json"
_PUBLIC_MEMBERS = ("kty", "crv", "x")


def thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an OKP key: SHA-256 of its required members, base64url."""
    canonical = json.dumps({name: public_jwk[name] for name in sorted(_PUBLIC_MEMBERS)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def new_private_jwk() -> dict[str, Any]:
    """A fresh Ed25519 private JWK with its ``kid``."""
    jwk = json.loads(OKPAlgorithm.to_jwk(Ed25519PrivateKey.generate()))
    return {**jwk, "kid": thumbprint(jwk), "alg": "EdDSA", "use": "sig"}


def public_jwk(jwk: dict[str, Any]) -> dict[str, Any]:
    """The public half of a JWK (never ``d``)."""
    return {name: jwk[name] for name in (*_PUBLIC_MEMBERS, "kid", "alg", "use") if name in jwk}


def public_jwks(text: str) -> dict[str, Any]:
    """A JWKS reduced to public members, whatever it was given with."""
    try:
        keys = json.loads(text)["keys"]
    except (ValueError, KeyError, TypeError):
        raise ConfigError("the JWKS is not a JSON object with 'keys'") from None
    return {"keys": [public_jwk(key) for key in keys]}


class TokenSigner:
    """Signs principal tokens with the current key (``IDENTITY_SIGNING_KEY``)."""

    def __init__(self, private_jwk_json: str, jwks_json: str) -> None:
        try:
            jwk = json.loads(private_jwk_json)
            self._key = OKPAlgorithm.from_jwk(jwk)
        except (ValueError, TypeError, jwt.InvalidKeyError):
            raise ConfigError("IDENTITY_SIGNING_KEY is not an Ed25519 private JWK") from None
        if not isinstance(self._key, Ed25519PrivateKey):
            raise ConfigError("IDENTITY_SIGNING_KEY must be an Ed25519 private key")
        self.kid = str(jwk.get("kid") or thumbprint(jwk))
        published = {key.get("kid"): key for key in public_jwks(jwks_json)["keys"]}
        if published.get(self.kid, {}).get("x") != jwk.get("x"):
            raise ConfigError(
                f"the signing key {self.kid} is not in IDENTITY_JWKS: services could not verify its tokens"
            )

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact JWS (``alg`` EdDSA, ``kid``)."""
        return jwt.encode(claims, self._key, algorithm="EdDSA", headers={"kid": self.kid})


# -- key files


def _write_private(path: Path, jwk: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(jwk, out, indent=2)
        out.write("\n")
    os.replace(temporary, path)


def _read(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _write_jwks(directory: Path, keys: list[dict[str, Any]]) -> None:
    unique: dict[str, dict[str, Any]] = {}
    for key in keys:
        unique.setdefault(key["kid"], public_jwk(key))
    (directory / PUBLIC_NAME).write_text(json.dumps({"keys": list(unique.values())}, indent=2) + "\n",
                                         encoding="utf-8")


def _published(directory: Path) -> list[dict[str, Any]]:
    current = _read(directory / PUBLIC_NAME)
    return list(current["keys"]) if current else []


def init_keys(directory: Path) -> str:
    """Create the signing key if absent and make sure the JWKS publishes it; returns its kid."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path = directory / PRIVATE_NAME
    current = _read(private_path)
    if current is None:
        current = new_private_jwk()
        _write_private(private_path, current)
    os.chmod(private_path, 0o600)
    published = _published(directory)
    if not any(key.get("kid") == current["kid"] for key in published):
        _write_jwks(directory, [current, *published])
    return str(current["kid"])


def stage_next_key(directory: Path) -> str:
    """Create the next key and publish it beside the current one; returns its kid."""
    current = _read(directory / PRIVATE_NAME)
    if current is None:
        raise ConfigError(f"no signing key in {directory}: run `keys init` first")
    staged = _read(directory / NEXT_NAME)
    if staged is None:
        staged = new_private_jwk()
        _write_private(directory / NEXT_NAME, staged)
    _write_jwks(directory, [current, staged, *_published(directory)])
    return str(staged["kid"])


def promote_next_key(directory: Path) -> str:
    """Sign with the staged key from now on; the previous one stays published. Returns the kid."""
    staged = _read(directory / NEXT_NAME)
    if staged is None:
        raise ConfigError(f"no staged key in {directory}: run `keys stage` and roll the JWKS out first")
    previous = _read(directory / PRIVATE_NAME)
    _write_private(directory / PRIVATE_NAME, staged)
    (directory / NEXT_NAME).unlink()
    _write_jwks(directory, [staged, *([previous] if previous else [])])
    return str(staged["kid"])


def prune_keys(directory: Path) -> list[str]:
    """Publish only the current (and a staged) key; returns the kids still published."""
    current = _read(directory / PRIVATE_NAME)
    if current is None:
        raise ConfigError(f"no signing key in {directory}")
    staged = _read(directory / NEXT_NAME)
    keys = [current, *([staged] if staged else [])]
    _write_jwks(directory, keys)
    return [str(key["kid"]) for key in keys]
