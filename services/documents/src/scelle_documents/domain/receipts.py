"""The *accusé de dépôt*: a deposit's facts signed with the vault's Ed25519 key (DESIGN.md §6.6).

A receipt is a JSON object; ``signature`` is the base64url Ed25519 signature of the canonical JSON
(sorted keys, no spaces, UTF-8) of every other member, and ``key_id`` names the key among the
vault's public keys (a JWKS), so a receipt can be checked offline, years later, without the vault.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

RECEIPT_FORMAT = "scelle.accuse-de-depot.v1"
PUBLIC_MEMBERS = ("kty", "crv", "x")


def canonical(receipt: Mapping[str, Any]) -> bytes:
    """The signed bytes: every member but ``signature``, canonical JSON."""
    body = {key: value for key, value in receipt.items() if key != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def thumbprint(public_jwk: Mapping[str, str]) -> str:
    """RFC 7638 thumbprint of an OKP public key: the key id."""
    material = json.dumps({key: public_jwk[key] for key in sorted(PUBLIC_MEMBERS)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest()).rstrip(b"=").decode()


def new_private_jwk() -> dict[str, str]:
    """A fresh Ed25519 private JWK with its thumbprint as ``kid``."""
    jwk = json.loads(OKPAlgorithm.to_jwk(Ed25519PrivateKey.generate()))
    return {**jwk, "kid": thumbprint(jwk), "alg": "EdDSA", "use": "sig"}


@dataclass(frozen=True)
class ReceiptSigner:
    """Signs receipts with the vault's private key."""

    key_id: str
    private_key: Ed25519PrivateKey

    @classmethod
    def from_jwk(cls, text: str) -> ReceiptSigner:
        jwk = json.loads(text)
        key = OKPAlgorithm.from_jwk(jwk)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the receipt key must be an Ed25519 private JWK")
        return cls(key_id=jwk.get("kid") or thumbprint(jwk), private_key=key)

    def public_jwks(self) -> dict[str, Any]:
        public = json.loads(OKPAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**public, "kid": self.key_id, "alg": "EdDSA", "use": "sig"}]}

    def sign(self, facts: Mapping[str, Any]) -> dict[str, Any]:
        receipt = {"format": RECEIPT_FORMAT, **facts, "key_id": self.key_id}
        signature = self.private_key.sign(canonical(receipt))
        return {**receipt, "signature": base64.urlsafe_b64encode(signature).rstrip(b"=").decode()}


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    key_id: str | None = None


def verify_receipt(receipt: Mapping[str, Any], jwks: Mapping[str, Any]) -> Verification:
    """Check ``receipt`` against public keys ``jwks`` (no network, no database)."""
    key_id = receipt.get("key_id")
    signature = receipt.get("signature")
    if receipt.get("format") != RECEIPT_FORMAT or not isinstance(signature, str) or not isinstance(key_id, str):
        return Verification(False, "not a Scellé deposit receipt", key_id if isinstance(key_id, str) else None)
    keys = {key.get("kid"): key for key in jwks.get("keys", []) if isinstance(key, Mapping)}
    if key_id not in keys:
        return Verification(False, "unknown signing key", key_id)
    public = OKPAlgorithm.from_jwk(dict(keys[key_id]))
    if not isinstance(public, Ed25519PublicKey):
        return Verification(False, "the named key is not an Ed25519 public key", key_id)
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        public.verify(raw, canonical(receipt))
    except (InvalidSignature, ValueError):
        return Verification(False, "signature does not match the receipt's content", key_id)
    return Verification(True, "signature valid", key_id)
