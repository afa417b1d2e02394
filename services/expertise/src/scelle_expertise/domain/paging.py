"""Opaque cursors for keyset pagination: the sort key of the last row, base64url-encoded JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from scelle_expertise.domain.errors import InvalidRequest

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


def encode_cursor(*key: Any) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """The key a cursor carries; InvalidRequest when it was not made by :func:`encode_cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidRequest("Curseur de pagination invalide.", {"/cursor": "curseur inconnu"}) from None
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidRequest("Curseur de pagination invalide.", {"/cursor": "curseur inconnu"})
    return key
