"""The identity unit of work: one transaction with its repositories, outbox and audit chain."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from scelle_common.service_uow import ServiceUnitOfWork
from scelle_identity.adapters.repository import (
    AccountRepository,
    CertificateRepository,
    CguRepository,
    CrlRepository,
    IdempotencyRepository,
    LinkRepository,
    ReferenceRepository,
)
from scelle_identity.domain.accounts import MERGED, Account
from scelle_identity.domain.errors import NotFound

_CRL_LOCK_ID = 7_301_301


class IdentityUnitOfWork(ServiceUnitOfWork):
    """Everything a use case touches commits together: rows, outbox events, audit entries."""

    def bind(self, session: Session) -> None:
        self.accounts = AccountRepository(session)
        self.certificates = CertificateRepository(session)
        self.links = LinkRepository(session)
        self.crls = CrlRepository(session)
        self.cgu = CguRepository(session)
        self.reference = ReferenceRepository(session)
        self.idempotency = IdempotencyRepository(session)

    def account(self, account_id: str, *, for_update: bool = False, live: bool = False) -> Account:
        """The account ``account_id``; :class:`NotFound` when absent (or merged, with ``live``)."""
        account = self.accounts.get(account_id, for_update=for_update)
        if account is None or (live and account.status == MERGED):
            raise NotFound("Compte introuvable.")
        return account

    def lock_crl(self) -> None:
        """Serialise CRL numbering between concurrent revocations."""
        self.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _CRL_LOCK_ID})
