"""The expertise unit of work: one transaction with its repositories, outbox and audit chain."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scelle_common.events import Event
from scelle_common.service_uow import ServiceUnitOfWork
from scelle_expertise.adapters.read_models import ReadModels
from scelle_expertise.adapters.repository import (
    ConsumedVersions,
    DocumentMarks,
    ExpertiseRepository,
    IdempotencyRepository,
)
from scelle_expertise.domain.model import Expertise
from scelle_expertise.service_layer import integration_events


class ExpertiseUnitOfWork(ServiceUnitOfWork):
    """Everything a use case touches commits together: rows, outbox events, audit entries."""

    def bind(self, session: Session) -> None:
        self.expertises = ExpertiseRepository(session)
        self.read_models = ReadModels(session)
        self.idempotency = IdempotencyRepository(session)
        self.versions = ConsumedVersions(session)
        self.documents = DocumentMarks(session)

    def publish_changes(self, expertise: Expertise, causation: Event | None = None) -> list[Event]:
        """Turn the aggregate's recorded changes into public events, in version order, and forget them."""
        events = integration_events.events_for(expertise, expertise.changes, causation)
        expertise.changes.clear()
        self.publish(*events)
        return events
