"""One-time links: association links (cases A and B) and software-certificate retrieval links.

A link is a random secret mailed to one person; identity keeps only its SHA-256. It works once,
before it expires, unless withdrawn. Lifetimes are short and capped.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from scelle_identity.domain.errors import LinkUnusable

ASSOCIATION_MAX_TTL = timedelta(hours=24)
PACKAGE_MAX_TTL = timedelta(days=30)

ASSOCIATION_SELF = "self"  # case A: asked by the holder, logged in with a valid certificate
ASSOCIATION_OPERATOR = "operator"  # case B: issued by an operator for a holder whose certificate died


class LinkState(enum.StrEnum):
    USABLE = "usable"
    USED = "used"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class OneTimeLink:
    """The stored side of a link (never the secret itself)."""

    expires_at: datetime
    used_at: datetime | None = None
    withdrawn_at: datetime | None = None

    def state(self, now: datetime) -> LinkState:
        if self.used_at is not None:
            return LinkState.USED
        if self.withdrawn_at is not None:
            return LinkState.WITHDRAWN
        if now >= self.expires_at:
            return LinkState.EXPIRED
        return LinkState.USABLE


_MESSAGES = {
    LinkState.USED: "Ce lien a déjà été utilisé : il ne sert qu'une fois.",
    LinkState.EXPIRED: "Ce lien a expiré : demandez-en un nouveau.",
    LinkState.WITHDRAWN: "Ce lien a été retiré : demandez-en un nouveau.",
}


def require_usable(link: OneTimeLink, now: datetime) -> None:
    """Raise :class:`LinkUnusable` (with the state) unless the link can be used now."""
    state = link.state(now)
    if state is not LinkState.USABLE:
        raise LinkUnusable(_MESSAGES[state], state.value)


def expiry(now: datetime, ttl: timedelta, cap: timedelta) -> datetime:
    """When a link made ``now`` expires; the configured lifetime never exceeds the cap."""
    if ttl <= timedelta(0):
        raise ValueError("a link lifetime must be positive")
    return now + min(ttl, cap)
