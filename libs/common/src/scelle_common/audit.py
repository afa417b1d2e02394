"""The audit chain: append-only, hash-chained evidence of every access and action.

Each row stores the SHA-256 of the previous row (``prev_hash``) and of itself
(``row_hash``, computed over its canonical JSON and ``prev_hash``), so removing,
reordering or editing any row breaks every later hash. Rows are appended in the
transaction of the action they record; appends are serialised by a
transaction-scoped advisory lock so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from scelle_common.tables import audit_log

GENESIS_HASH = "0" * 64
_CHAIN_LOCK_ID = 7_301_102
_HASHED_FIELDS = ("occurred_at", "account_id", "profile", "cert_fingerprint", "cert_serial",
                  "client_ip", "action", "target", "outcome", "details")


@dataclass(frozen=True)
class AuditEntry:
    """One access or action, as it will be recorded."""

    action: str
    target: str
    outcome: str
    occurred_at: datetime
    account_id: str | None = None
    profile: str | None = None
    cert_fingerprint: str | None = None
    cert_serial: str | None = None
    client_ip: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def canonical(self) -> dict[str, Any]:
        """The hashed form: fixed field order, UTC microsecond timestamps."""
        values = {name: getattr(self, name) for name in _HASHED_FIELDS}
        values["occurred_at"] = self.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
        values["details"] = dict(self.details)
        return values


class AuditedActor(Protocol):
    """Who acted, as each service's use cases know the caller (from the principal token)."""

    @property
    def account_id(self) -> str | None: ...

    @property
    def profile(self) -> str: ...

    @property
    def fingerprint(self) -> str | None: ...

    @property
    def serial(self) -> str | None: ...

    @property
    def client_ip(self) -> str | None: ...


def audit_entry(actor: AuditedActor, action: str, target: str, outcome: str, at: datetime,
                **details: Any) -> AuditEntry:
    """The audit row of an access or action (DESIGN §6.11): who, with which certificate, from where.

    ``target`` is cut to the column's 300 characters; details whose value is ``None`` are left out.
    """
    return AuditEntry(
        action=action,
        target=target[:300],
        outcome=outcome,
        occurred_at=at,
        account_id=actor.account_id,
        profile=actor.profile,
        cert_fingerprint=actor.fingerprint,
        cert_serial=actor.serial,
        client_ip=actor.client_ip,
        details={key: value for key, value in details.items() if value is not None},
    )


def row_hash(entry: AuditEntry, prev_hash: str) -> str:
    """SHA-256 (hex) of ``entry`` chained to ``prev_hash``."""
    payload = json.dumps({"prev": prev_hash, "entry": entry.canonical()}, sort_keys=True,
                         separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class ChainVerification:
    """The result of walking a chain from its first row."""

    rows_checked: int
    head_hash: str
    first_broken_seq: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


class AuditTrail:
    """Appends to and verifies the ``audit_log`` table of one service database."""

    def append(self, session: Session, entry: AuditEntry) -> str:
        """Append ``entry`` in ``session``'s transaction; returns its hash."""
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _CHAIN_LOCK_ID})
        previous = session.execute(
            select(audit_log.c.row_hash).order_by(audit_log.c.seq.desc()).limit(1)
        ).scalar_one_or_none() or GENESIS_HASH
        digest = row_hash(entry, previous)
        session.execute(insert(audit_log).values(**_row_values(entry), prev_hash=previous, row_hash=digest))
        return digest

    def head(self, session: Session) -> tuple[int, str]:
        """``(seq, row_hash)`` of the last row, or ``(0, GENESIS_HASH)`` for an empty chain."""
        row = session.execute(
            select(audit_log.c.seq, audit_log.c.row_hash).order_by(audit_log.c.seq.desc()).limit(1)
        ).first()
        return (row.seq, row.row_hash) if row else (0, GENESIS_HASH)

    def verify(self, session: Session, *, batch_size: int = 5_000) -> ChainVerification:
        """Recompute every hash from the first row and report the first break, if any."""
        previous = GENESIS_HASH
        checked = 0
        for row in _rows(session, batch_size):
            entry = AuditEntry(**{name: row._mapping[name] for name in _HASHED_FIELDS})
            if row.prev_hash != previous:
                return ChainVerification(checked, previous, row.seq, "prev_hash does not match the previous row")
            if row_hash(entry, previous) != row.row_hash:
                return ChainVerification(checked, previous, row.seq, "row content does not match its hash")
            previous = row.row_hash
            checked += 1
        return ChainVerification(checked, previous)


def _rows(session: Session, batch_size: int) -> Iterator[Any]:
    last_seq = 0
    while True:
        rows = session.execute(
            select(audit_log).where(audit_log.c.seq > last_seq).order_by(audit_log.c.seq).limit(batch_size)
        ).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq


def _row_values(entry: AuditEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in _HASHED_FIELDS}
    values["details"] = dict(entry.details)
    return values
