"""Fixtures of the library's integration tests: a migrated database and bus helpers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from scelle_common.db import UnitOfWork, make_engine, make_session_factory
from scelle_common.events import Event, new_event
from scelle_common.messaging import Consumer, EventHandlers, Outbox, Relay
from scelle_common.testing.plugin import BusNamespace

MIGRATIONS = Path(__file__).parent / "migrations"
EVENT_NAME = "test.thing_happened.v1"


@pytest.fixture(scope="session")
def database_url(database_factory) -> str:  # noqa: ANN001 - plugin fixture
    return database_factory(MIGRATIONS, hint="common")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE outbox, inbox, effects"))
    yield engine
    engine.dispose()


@pytest.fixture
def unit_of_work(engine: Engine) -> Callable[[], UnitOfWork]:
    factory = make_session_factory(engine)
    return lambda: UnitOfWork(factory)


def thing_happened(note: str = "n") -> Event:
    return new_event(service="tests", name=EVENT_NAME, subject="s-1", data={"note": note})


def record_effect(uow: UnitOfWork, event: Event) -> None:
    """The handler under test: one row per applied event."""
    uow.session.execute(
        text("INSERT INTO effects (event_id, note) VALUES (:id, :note)"),
        {"id": event.id, "note": event.data["note"]},
    )


def effects(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT event_id, note FROM effects ORDER BY id"))]


def commit_events(unit_of_work: Callable[[], UnitOfWork], events: list[Event]) -> None:
    with unit_of_work() as uow:
        Outbox().add(uow.session, *events)
        uow.commit()


class Running:
    """Background loops (relays, consumers) stopped together at the end of a test."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self, loop: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=loop, args=(self.stop,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def halt(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


@pytest.fixture
def running() -> Iterator[Running]:
    loops = Running()
    yield loops
    loops.halt()


def make_consumer(namespace: BusNamespace, unit_of_work: Callable[[], UnitOfWork], broker_url: str | None = None,
                  handler: Callable[[UnitOfWork, Event], None] = record_effect) -> Consumer:
    handlers = EventHandlers()
    handlers.on(EVENT_NAME)(handler)
    return Consumer(
        broker_url=broker_url or namespace.broker_url,
        topology=namespace.topology,
        queue=namespace.queue("tests", "effects"),
        handlers=handlers,
        unit_of_work=unit_of_work,
        prefetch=50,
        max_backoff_seconds=1.0,
    )


def make_relay(engine: Engine, namespace: BusNamespace, broker_url: str | None = None, name: str = "tests") -> Relay:
    return Relay(engine, broker_url or namespace.broker_url, namespace.topology, name=name,
                 batch_size=100, idle_seconds=0.2, max_backoff_seconds=1.0)
