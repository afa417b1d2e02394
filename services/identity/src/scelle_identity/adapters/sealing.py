"""Link secrets: random tokens, their stored hashes, and keys sealed under them.

A software certificate's private key waits for its holder sealed (AES-256-GCM) under a key
derived (HKDF-SHA256) from the retrieval link's secret. The database holds only the SHA-256 of
the secret and the sealed key, so a copy of the database alone cannot open a waiting key.
"""

from __future__ import annotations

import hashlib
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"scelle-identity certificate package v1"


def new_token() -> str:
    """A URL-safe secret of 256 bits (43 characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored to find a link again: SHA-256 of the secret, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def _key(token: str, context: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_INFO + b"|" + context.encode()).derive(token.encode())


def seal(token: str, context: str, plaintext: bytes) -> bytes:
    """``plaintext`` encrypted under ``token``; ``context`` (e.g. the fingerprint) is bound in."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_key(token, context)).encrypt(nonce, plaintext, context.encode())


def unseal(token: str, context: str, sealed: bytes) -> bytes:
    """The plaintext; ``ValueError`` when the token or context is wrong or the data was altered."""
    try:
        return AESGCM(_key(token, context)).decrypt(sealed[:12], sealed[12:], context.encode())
    except InvalidTag:
        raise ValueError("the sealed key cannot be opened with this link") from None
