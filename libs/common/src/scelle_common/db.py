"""SQLAlchemy 2 engine, sessions and the unit of work.

A unit of work is one database transaction: everything a use case changes —
its own rows, the outbox rows announcing it, the inbox row recording the event
that caused it, the audit row — commits together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, statement_timeout_ms: int = 30_000, pool_size: int = 5) -> Engine:
    """An engine with pre-ping (survives database restarts) and a statement timeout."""
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"options": f"-c statement_timeout={int(statement_timeout_ms)}"},
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that do not expire objects on commit (handlers return them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


class UnitOfWork:
    """One transaction. Use as ``with uow: ...; uow.commit()``; leaving without commit rolls back.

    Subclasses add repositories built on :attr:`session` in :meth:`__enter__`.
    """

    session: Session

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        """Make everything done in this unit durable at once."""
        self.session.commit()

    def rollback(self) -> None:
        """Forget everything done in this unit since the last commit."""
        self.session.rollback()
