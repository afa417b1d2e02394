"""The composition root shared by every service: settings → engine, bus, outbox, audit.

A service's ``bootstrap.py`` builds one :class:`ServiceRuntime` and hands its
parts to its use cases, API, relay and consumers; tests build one against the
real test servers with their own settings.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from scelle_common.audit import AuditTrail
from scelle_common.config import ServiceSettings
from scelle_common.db import UnitOfWork, make_engine, make_session_factory
from scelle_common.events import SchemaRegistry
from scelle_common.http.health import ReadinessCheck, broker_check, database_check
from scelle_common.messaging import Consumer, EventHandlers, Outbox, Relay, Topology


@dataclass
class ServiceRuntime:
    """Everything a service process needs, built once from its settings."""

    service: str
    root: Path
    settings: ServiceSettings
    engine: Engine
    session_factory: sessionmaker[Session]
    topology: Topology
    schemas: SchemaRegistry
    outbox: Outbox
    audit: AuditTrail = field(default_factory=AuditTrail)

    @classmethod
    def build(cls, service: str, root: Path, settings: ServiceSettings) -> ServiceRuntime:
        """Wire a runtime for ``service`` whose folder (contracts, migrations) is ``root``."""
        engine = make_engine(settings.database_url, statement_timeout_ms=settings.statement_timeout_ms)
        schemas = SchemaRegistry([root / "contracts" / "events"])
        return cls(
            service=service,
            root=root,
            settings=settings,
            engine=engine,
            session_factory=make_session_factory(engine),
            topology=Topology(
                exchange=settings.events_exchange,
                queue_prefix=settings.queue_prefix,
                delivery_limit=settings.delivery_limit,
            ),
            schemas=schemas,
            outbox=Outbox(schemas),
        )

    @property
    def migrations_dir(self) -> Path:
        return self.root / "migrations"

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work on this service's database."""
        return UnitOfWork(self.session_factory)

    def readiness(self) -> Mapping[str, ReadinessCheck]:
        """The checks behind ``/readyz``: this service's database and the broker."""
        return {"database": database_check(self.engine), "broker": broker_check(self.settings.broker_url)}

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def relay(self) -> Relay:
        """The outbox relay of this service."""
        return Relay(
            self.engine,
            self.settings.broker_url,
            self.topology,
            name=self.service,
            batch_size=self.settings.relay_batch_size,
            idle_seconds=self.settings.relay_idle_seconds,
        )

    def consumer(
        self,
        purpose: str,
        handlers: EventHandlers,
        unit_of_work: Callable[[], UnitOfWork] | None = None,
    ) -> Consumer:
        """The consumer of queue ``<service>.<purpose>``."""
        return Consumer(
            broker_url=self.settings.broker_url,
            topology=self.topology,
            queue=self.topology.queue_name(self.service, purpose),
            handlers=handlers,
            unit_of_work=unit_of_work or self.unit_of_work,
            prefetch=self.settings.consumer_prefetch,
        )


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, for loops that must finish their current work first."""
    stop = threading.Event()

    def request_stop(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop
