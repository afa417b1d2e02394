"""Versions of the conditions générales d'utilisation: the one in force must be accepted.

A new version applies from its effective date; at the next login after it, every account that
has not accepted it gets a 403 ``cgu-acceptance-required`` except on the CGU routes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from scelle_identity.domain.errors import Conflict, InvalidRequest

VERSION_PATTERN = re.compile(r"^v[0-9]{6}-[0-9]{2}$")  # e.g. v202004-01, the reference CGU


@dataclass(frozen=True)
class CguVersion:
    version: str
    title: str
    body: str
    effective_at: datetime
    published_at: datetime


def in_force(versions: Iterable[CguVersion], now: datetime) -> CguVersion | None:
    """The latest version whose effective date has come."""
    current = [v for v in versions if v.effective_at <= now]
    return max(current, key=lambda v: (v.effective_at, v.version), default=None)


def check_new_version(existing: Iterable[CguVersion], candidate: CguVersion, now: datetime) -> None:
    """A new version has a fresh, well-formed name and never takes effect in the past."""
    if not VERSION_PATTERN.match(candidate.version):
        raise InvalidRequest("Nom de version invalide.", {"/version": "forme vAAAAMM-NN, ex. v202601-01"})
    versions = list(existing)
    if any(v.version == candidate.version for v in versions):
        raise Conflict(f"La version {candidate.version} existe déjà.")
    if candidate.effective_at < now:
        raise InvalidRequest("Une version ne prend pas effet dans le passé.",
                             {"/effective_at": "date future ou immédiate"})
    latest = max((v.effective_at for v in versions), default=None)
    if latest is not None and candidate.effective_at < latest:
        raise InvalidRequest("Une version ne peut pas précéder la dernière publiée.",
                             {"/effective_at": f"après {latest.isoformat()}"})
