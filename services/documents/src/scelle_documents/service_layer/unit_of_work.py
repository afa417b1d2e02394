"""The vault's unit of work: one transaction with its repositories, outbox and audit chain."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from scelle_common.audit import AuditEntry, AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event
from scelle_common.messaging import Outbox
from scelle_documents.adapters.read_model import ReadModel
from scelle_documents.adapters.repository import VaultRepository


class VaultUnitOfWork(UnitOfWork):
    """Rows, outbox events and audit entries of a use case commit together or not at all."""

    def __init__(self, session_factory: Callable[[], Session], outbox: Outbox, audit: AuditTrail) -> None:
        super().__init__(session_factory)
        self._outbox = outbox
        self._audit = audit
        self._adopted: UnitOfWork | None = None

    @classmethod
    def adopt(cls, unit_of_work: UnitOfWork, outbox: Outbox, audit: AuditTrail) -> VaultUnitOfWork:
        """Work inside the consumer's unit of work (which holds the inbox row)."""
        adopted = cls(lambda: unit_of_work.session, outbox, audit)
        adopted._adopted = unit_of_work
        adopted._bind(unit_of_work.session)
        return adopted

    def __enter__(self) -> VaultUnitOfWork:
        super().__enter__()
        self._bind(self.session)
        return self

    def _bind(self, session: Session) -> None:
        self.session = session
        self.vault = VaultRepository(session)
        self.read_model = ReadModel(session)

    def commit(self) -> None:
        if self._adopted is not None:
            return
        super().commit()

    def publish(self, *events: Event) -> None:
        """Announce ``events`` if and only if this transaction commits."""
        self._outbox.add(self.session, *events)

    def record(self, entry: AuditEntry) -> None:
        """Append ``entry`` to the audit chain in this transaction (serialised: record last)."""
        self._audit.append(self.session, entry)
