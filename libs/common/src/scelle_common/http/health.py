"""Readiness checks for ``/readyz``: each is a callable that raises when not ready."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, text

from scelle_common.messaging.topology import connect

ReadinessCheck = Callable[[], None]


def database_check(engine: Engine) -> ReadinessCheck:
    """Ready when the database answers ``SELECT 1``."""

    def check() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    return check


def broker_check(broker_url: str) -> ReadinessCheck:
    """Ready when the broker accepts a connection."""

    def check() -> None:
        connect(broker_url, name="readiness", heartbeat=0).close()

    return check
