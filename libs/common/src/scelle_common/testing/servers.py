"""Where the test servers are: environment URLs first, testcontainers second, else a loud failure."""

from __future__ import annotations

import os
import socket
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


class ServersUnavailable(RuntimeError):
    """Neither a ``SCELLE_TEST_*`` URL nor a container engine provides a server."""


@dataclass(frozen=True)
class S3Endpoint:
    """A reachable S3-compatible server."""

    url: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _container(kind: str, variable: str, start: Callable[[], Any]) -> Iterator[Any]:
    try:
        with warnings.catch_warnings():
            # testcontainers deprecates its own helpers between minor releases.
            warnings.simplefilter("ignore", DeprecationWarning)
            container = start()
    except Exception as exc:  # docker.errors.DockerException and friends: no engine here
        raise ServersUnavailable(
            f"No {kind} for the integration tests: set {variable} (the `./scelle test` command "
            f"does it for you) or run a Docker engine for testcontainers ({type(exc).__name__}: {exc})"
        ) from None
    try:
        yield container
    finally:
        container.stop()


@contextmanager
def postgres_server() -> Iterator[str]:
    """A SQLAlchemy URL to a PostgreSQL server where the tests may create databases."""
    url = os.environ.get("SCELLE_TEST_POSTGRES_URL")
    if url:
        yield url
        return

    def start() -> Any:
        from testcontainers.community.postgres import PostgresContainer

        return PostgresContainer("postgres:15", driver="psycopg").start()

    with _container("PostgreSQL", "SCELLE_TEST_POSTGRES_URL", start) as container:
        yield container.get_connection_url()


@contextmanager
def rabbitmq_server() -> Iterator[str]:
    """An AMQP URL to a RabbitMQ server."""
    url = os.environ.get("SCELLE_TEST_RABBITMQ_URL")
    if url:
        yield url
        return

    def start() -> Any:
        from testcontainers.community.rabbitmq import RabbitMqContainer

        return RabbitMqContainer("rabbitmq:3.13").start()

    with _container("RabbitMQ", "SCELLE_TEST_RABBITMQ_URL", start) as container:
        yield f"amqp://guest:guest@{container.get_container_host_ip()}:{container.get_exposed_port(5672)}/%2F"


@contextmanager
def s3_server() -> Iterator[S3Endpoint]:
    """An S3-compatible server (SeaweedFS started by ``./scelle test``, or MinIO in a container)."""
    url = os.environ.get("SCELLE_TEST_S3_URL")
    if url:
        yield S3Endpoint(
            url=url,
            access_key=os.environ.get("SCELLE_TEST_S3_ACCESS_KEY", ""),
            secret_key=os.environ.get("SCELLE_TEST_S3_SECRET_KEY", ""),
        )
        return

    def start() -> Any:
        from testcontainers.community.minio import MinioContainer

        return MinioContainer().start()

    with _container("S3 server", "SCELLE_TEST_S3_URL", start) as container:
        config = container.get_config()
        yield S3Endpoint(url=f"http://{config['endpoint']}", access_key=config["access_key"],
                         secret_key=config["secret_key"])
