"""The designation unit of work: one transaction with its repositories, outbox and audit chain."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scelle_common.events import Event
from scelle_common.service_uow import ServiceUnitOfWork
from scelle_designation.adapters.repository import DesignationRepository, DirectoryRepository, IdempotencyRepository
from scelle_designation.domain.model import Designation
from scelle_designation.service_layer import integration_events


class DesignationUnitOfWork(ServiceUnitOfWork):
    """Everything a use case touches commits together: rows, outbox events, audit entries."""

    def bind(self, session: Session) -> None:
        self.designations = DesignationRepository(session)
        self.idempotency = IdempotencyRepository(session)
        self.directory = DirectoryRepository(session)

    def save(self, designation: Designation, causation: Event | None = None) -> list[Event]:
        """Write the designation and announce its recorded changes (in version order), then forget them."""
        self.designations.save(designation)
        events = integration_events.events_for(designation, designation.changes, causation)
        designation.changes.clear()
        self.publish(*events)
        return events
