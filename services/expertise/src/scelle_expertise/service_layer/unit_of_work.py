"""The expertise unit of work: one transaction with its repositories, outbox and audit chain."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from scelle_common.audit import AuditEntry, AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event
from scelle_common.messaging import Outbox
from scelle_expertise.adapters.read_models import ReadModels
from scelle_expertise.adapters.repository import (
    ConsumedVersions,
    DocumentMarks,
    ExpertiseRepository,
    IdempotencyRepository,
)
from scelle_expertise.domain.model import Expertise
from scelle_expertise.service_layer import integration_events


class ExpertiseUnitOfWork(UnitOfWork):
    """Everything a use case touches commits together: rows, outbox events, audit entries."""

    def __init__(self, session_factory: Callable[[], Session], outbox: Outbox, audit: AuditTrail) -> None:
        super().__init__(session_factory)
        self._outbox = outbox
        self._audit = audit
        self._adopted: UnitOfWork | None = None

    @classmethod
    def adopt(cls, unit_of_work: UnitOfWork, outbox: Outbox, audit: AuditTrail) -> ExpertiseUnitOfWork:
        """Work inside a unit of work opened by someone else (the consumer's, with its inbox row)."""
        adopted = cls(lambda: unit_of_work.session, outbox, audit)
        adopted._adopted = unit_of_work
        adopted._bind(unit_of_work.session)
        return adopted

    def __enter__(self) -> ExpertiseUnitOfWork:
        super().__enter__()
        self._bind(self.session)
        return self

    def _bind(self, session: Session) -> None:
        self.session = session
        self.expertises = ExpertiseRepository(session)
        self.read_models = ReadModels(session)
        self.idempotency = IdempotencyRepository(session)
        self.versions = ConsumedVersions(session)
        self.documents = DocumentMarks(session)

    def commit(self) -> None:
        if self._adopted is not None:
            return  # the owner of the transaction commits it
        super().commit()

    def publish(self, *events: Event) -> None:
        """Announce ``events`` if and only if this transaction commits."""
        self._outbox.add(self.session, *events)

    def publish_changes(self, expertise: Expertise, causation: Event | None = None) -> list[Event]:
        """Turn the aggregate's recorded changes into public events, in version order, and forget them."""
        events = integration_events.events_for(expertise, expertise.changes, causation)
        expertise.changes.clear()
        self.publish(*events)
        return events

    def record(self, entry: AuditEntry) -> None:
        """Append ``entry`` to the audit chain in this transaction (serialised: record last)."""
        self._audit.append(self.session, entry)
