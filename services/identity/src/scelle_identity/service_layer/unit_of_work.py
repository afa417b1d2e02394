"""The identity unit of work: one transaction with its repositories, outbox and audit chain."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from scelle_common.audit import AuditEntry, AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event
from scelle_common.messaging import Outbox
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


class IdentityUnitOfWork(UnitOfWork):
    """Everything a use case touches commits together: rows, outbox events, audit entries."""

    def __init__(self, session_factory: Callable[[], Session], outbox: Outbox, audit: AuditTrail) -> None:
        super().__init__(session_factory)
        self._outbox = outbox
        self._audit = audit
        self._adopted: UnitOfWork | None = None

    @classmethod
    def adopt(cls, unit_of_work: UnitOfWork, outbox: Outbox, audit: AuditTrail) -> IdentityUnitOfWork:
        """Work inside a unit of work opened by someone else (the consumer's, with its inbox row)."""
        adopted = cls(lambda: unit_of_work.session, outbox, audit)
        adopted._adopted = unit_of_work
        adopted._bind(unit_of_work.session)
        return adopted

    def __enter__(self) -> IdentityUnitOfWork:
        super().__enter__()
        self._bind(self.session)
        return self

    def _bind(self, session: Session) -> None:
        self.session = session
        self.accounts = AccountRepository(session)
        self.certificates = CertificateRepository(session)
        self.links = LinkRepository(session)
        self.crls = CrlRepository(session)
        self.cgu = CguRepository(session)
        self.reference = ReferenceRepository(session)
        self.idempotency = IdempotencyRepository(session)

    def commit(self) -> None:
        if self._adopted is not None:
            return  # the owner of the transaction commits it
        super().commit()

    def account(self, account_id: str, *, for_update: bool = False, live: bool = False) -> Account:
        """The account ``account_id``; :class:`NotFound` when absent (or merged, with ``live``)."""
        account = self.accounts.get(account_id, for_update=for_update)
        if account is None or (live and account.status == MERGED):
            raise NotFound("Compte introuvable.")
        return account

    def publish(self, *events: Event) -> None:
        """Announce ``events`` if and only if this transaction commits."""
        self._outbox.add(self.session, *events)

    def record(self, entry: AuditEntry) -> None:
        """Append ``entry`` to the audit chain in this transaction.

        The chain is serialised by a transaction-long lock: record last, just before commit.
        """
        self._audit.append(self.session, entry)

    def lock_crl(self) -> None:
        """Serialise CRL numbering between concurrent revocations."""
        self.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _CRL_LOCK_ID})
