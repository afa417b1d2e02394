"""The expert directory's search rules: accent- and case-insensitive name prefixes, opaque cursors.

Names are searched through a *search key* stored beside each name: decomposed, stripped of
accents, ligatures spelled out, case-folded, punctuation turned into spaces. The same function
turns what the user typed into the prefix to look for, so ``hel`` finds ``Hélène`` and
``LEFEBVRE`` finds ``Lefèbvre``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o",
                            "ł": "l", "Ł": "l", "đ": "d", "Đ": "d"})
_SEPARATORS = re.compile(r"[\s'’`´\-‐–—_.]+")


def search_key(text: str) -> str:
    """The accent-, case- and punctuation-insensitive form of a name."""
    spelled = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", spelled)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", stripped.casefold()).strip()


def like_prefix(key: str) -> str:
    """A SQL ``LIKE`` pattern matching every key that starts with ``key`` (``\\`` escapes)."""
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after this (surname key, given-name key, account id)."""

    surname_key: str
    given_name_key: str
    account_id: str

    def encode(self) -> str:
        raw = json.dumps([self.surname_key, self.given_name_key, self.account_id], ensure_ascii=False)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Raise ``ValueError`` for anything this module did not produce."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            values = json.loads(raw)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise ValueError("invalid cursor") from None
        if not (isinstance(values, list) and len(values) == 3 and all(isinstance(v, str) for v in values)):
            raise ValueError("invalid cursor")
        return cls(*values)


def page_size(requested: int | None) -> int:
    """The page size to use; ``ValueError`` outside 1..200."""
    if requested is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= requested <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    return requested
