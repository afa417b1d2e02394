"""The pytest plugin of Scellé (entry point ``scelle``): fixtures for real servers.

Fixtures
--------
``postgres_url``       session: a server URL where databases may be created.
``database_factory``   session: ``create(migrations_dir, hint)`` → URL of a new
                        database built by that Alembic history; all dropped at the end.
``rabbitmq_url``       session: the shared test broker.
``bus_namespace``      per test: a :class:`Topology` with unique exchange and queue
                        names on the shared broker, deleted afterwards.
``private_rabbitmq``   per test: a private node a fault drill may stop and restart.
``private_postgres``   per test: a private PostgreSQL cluster a fault drill may stop and restart.
``s3_endpoint``        session: an S3-compatible server.
``private_s3``         per test: a private SeaweedFS a fault drill may stop and restart.
``smtp_capture``       per test: an SMTP server recording what it receives (restartable on its port).
``principal_signer``   session: a key pair signing principal tokens, with its JWKS.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scelle_common.messaging import Topology, connect
from scelle_common.testing.postgres import PrivatePostgres, migrate
from scelle_common.testing.rabbitmq import PrivateRabbitMQ
from scelle_common.testing.seaweedfs import PrivateS3
from scelle_common.testing.servers import (
    S3Endpoint,
    ServersUnavailable,
    postgres_server,
    rabbitmq_server,
    s3_server,
)
from scelle_common.testing.smtp import SmtpCapture
from scelle_common.testing.tokens import PrincipalSigner


T = TypeVar("T")


def _unique(hint: str) -> str:
    return f"{hint}_{uuid.uuid4().hex[:10]}"


def _serve(server: Callable[[], AbstractContextManager[T]]) -> Iterator[T]:
    """Yield what ``server`` provides, or fail the test loudly when nothing can provide it."""
    try:
        with server() as provided:
            yield provided
    except ServersUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    yield from _serve(postgres_server)


@pytest.fixture(scope="session")
def rabbitmq_url() -> Iterator[str]:
    yield from _serve(rabbitmq_server)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[S3Endpoint]:
    yield from _serve(s3_server)


DatabaseFactory = Callable[..., str]


@pytest.fixture(scope="session")
def database_factory(postgres_url: str) -> Iterator[DatabaseFactory]:
    """Creates fresh databases (optionally migrated); drops them when the session ends."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def create(migrations_dir: Path | None = None, hint: str = "scelle") -> str:
        name = _unique(f"t_{hint}")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        if migrations_dir is not None:
            migrate(url, migrations_dir)
        return url

    yield create
    with admin.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class BusNamespace:
    """Unique exchange and queue names on a shared broker, deleted by :meth:`clean`.

    Tests take queue names from :meth:`queue` so that cleaning knows them.
    """

    def __init__(self, broker_url: str) -> None:
        self.broker_url = broker_url
        token = uuid.uuid4().hex[:10]
        self.topology = Topology(exchange=f"test.{token}.scelle.events", queue_prefix=f"test.{token}.",
                                 delivery_limit=3)
        self._queues: list[str] = []

    def queue(self, service: str, purpose: str) -> str:
        """The namespaced name of ``<service>.<purpose>``, remembered for cleaning."""
        name = self.topology.queue_name(service, purpose)
        self._queues.append(name)
        return name

    def clean(self) -> None:
        """Delete the queues, their DLQs and the exchanges of this namespace."""
        connection = connect(self.broker_url, name="test-cleanup")
        try:
            channel = connection.channel()
            for queue in self._queues:
                channel.queue_delete(queue)
                channel.queue_delete(Topology.dead_letter_queue(queue))
            channel.exchange_delete(self.topology.exchange)
            channel.exchange_delete(self.topology.dead_letter_exchange)
        finally:
            connection.close()


@pytest.fixture
def bus_namespace(rabbitmq_url: str) -> Iterator[BusNamespace]:
    namespace = BusNamespace(rabbitmq_url)
    yield namespace
    namespace.clean()


Restartable = TypeVar("Restartable", PrivateRabbitMQ, PrivatePostgres, PrivateS3)


def private_server(kind: type[Restartable]) -> Iterator[Restartable]:
    """A started private server of ``kind``, destroyed afterwards whatever the test did to it.

    The fixtures below are per test; drills sharing servers across a module enter
    ``contextlib.contextmanager(private_server)(kind)`` in a module-scoped fixture of their own.
    """
    try:
        server = kind()
    except ServersUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def private_rabbitmq() -> Iterator[PrivateRabbitMQ]:
    """A private RabbitMQ node, destroyed afterwards whatever the test did to it."""
    yield from private_server(PrivateRabbitMQ)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A private PostgreSQL cluster (trust auth, user ``postgres``), destroyed afterwards."""
    yield from private_server(PrivatePostgres)


@pytest.fixture
def private_s3() -> Iterator[PrivateS3]:
    """A private SeaweedFS S3 server, destroyed afterwards."""
    yield from private_server(PrivateS3)


@pytest.fixture
def smtp_capture() -> Iterator[SmtpCapture]:
    capture = SmtpCapture().start()
    yield capture
    capture.stop()


@pytest.fixture(scope="session")
def principal_signer() -> PrincipalSigner:
    return PrincipalSigner.generate()
