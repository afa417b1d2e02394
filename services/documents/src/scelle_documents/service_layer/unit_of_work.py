"""The vault's unit of work: one transaction with its repositories, outbox and audit chain."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scelle_common.service_uow import ServiceUnitOfWork
from scelle_documents.adapters.read_model import ReadModel
from scelle_documents.adapters.repository import VaultRepository


class VaultUnitOfWork(ServiceUnitOfWork):
    """Rows, outbox events and audit entries of a use case commit together or not at all."""

    vault: VaultRepository
    read_model: ReadModel

    def bind(self, session: Session) -> None:
        self.vault = VaultRepository(session)
        self.read_model = ReadModel(session)
