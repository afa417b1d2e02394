"""The unit of work of a service's use cases: rows, outbox events and audit entries in one transaction.

Every service writes the same three things in a use case's transaction: its own rows (through
repositories a subclass binds to the session), the events announcing the change
(:class:`~scelle_common.messaging.Outbox`) and the audit entry recording the access or action
(:class:`~scelle_common.audit.AuditTrail`). A consumer's handler works inside the consumer's own
unit of work (which holds the inbox row): :meth:`ServiceUnitOfWork.adopt` gives it the same API
without committing on the owner's behalf.

>>> class ThingsUnitOfWork(ServiceUnitOfWork):
...     def bind(self, session):
...         self.things = ThingRepository(session)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from scelle_common.audit import AuditEntry, AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event
from scelle_common.messaging import Outbox

UnitOfWorkT = TypeVar("UnitOfWorkT", bound="ServiceUnitOfWork")


class ServiceUnitOfWork(UnitOfWork):
    """One transaction of a use case; subclasses attach repositories in :meth:`bind`."""

    def __init__(self, session_factory: Callable[[], Session], outbox: Outbox, audit: AuditTrail) -> None:
        super().__init__(session_factory)
        self._outbox = outbox
        self._audit = audit
        self._owner: UnitOfWork | None = None

    @classmethod
    def adopt(cls: type[UnitOfWorkT], owner: UnitOfWork, outbox: Outbox, audit: AuditTrail) -> UnitOfWorkT:
        """Work inside ``owner``'s open transaction (a consumer's); :meth:`commit` is left to the owner."""
        adopted = cls(lambda: owner.session, outbox, audit)
        adopted._owner = owner
        adopted.session = owner.session
        adopted.bind(owner.session)
        return adopted

    def __enter__(self: UnitOfWorkT) -> UnitOfWorkT:
        super().__enter__()
        self.bind(self.session)
        return self

    def bind(self, session: Session) -> None:
        """Attach the service's repositories to ``session`` (called on entry and on adoption)."""

    def commit(self) -> None:
        """Commit, unless this unit of work was adopted: then its owner commits after its own steps."""
        if self._owner is not None:
            return
        super().commit()

    def publish(self, *events: Event) -> None:
        """Announce ``events`` if and only if this transaction commits (validated against their schemas)."""
        self._outbox.add(self.session, *events)

    def record(self, entry: AuditEntry) -> None:
        """Append ``entry`` to the audit chain in this transaction.

        The chain is serialised by a lock held until the transaction ends: record last, just
        before commit, so no slow step (SMTP, S3) runs while other transactions wait for it.
        """
        self._audit.append(self.session, entry)
