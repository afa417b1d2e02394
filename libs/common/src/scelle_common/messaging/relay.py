"""The outbox relay: publishes committed outbox rows to the broker.

Rows are taken with ``FOR UPDATE SKIP LOCKED`` so several relays can run side by
side without publishing a row twice in the normal case; each message is
published persistent, ``mandatory`` and with publisher confirms (pipelined per
batch), and the row is marked sent only once the broker confirmed it. If the broker goes away, rows
stay unsent and are published after it returns (a row confirmed but not yet
marked may be published again with the same id: consumers deduplicate).

The relay sleeps on PostgreSQL ``LISTEN`` so a commit wakes it at once, with a
periodic poll as a safety net.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import psycopg
from pika.exceptions import AMQPError
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import DBAPIError

from scelle_common.logging import get_logger
from scelle_common.messaging.outbox import NOTIFY_CHANNEL
from scelle_common.messaging.publisher import ConfirmedPublisher, OutgoingMessage
from scelle_common.messaging.topology import Topology, connect
from scelle_common.tables import outbox

log = get_logger(__name__)


@dataclass(frozen=True)
class BatchResult:
    """What one pass over the outbox did."""

    published: int
    unroutable: int
    error: Exception | None = None

    @property
    def handled(self) -> int:
        return self.published + self.unroutable


class Relay:
    """Publishes the outbox of one service database."""

    def __init__(
        self,
        engine: Engine,
        broker_url: str,
        topology: Topology,
        *,
        name: str,
        batch_size: int = 200,
        idle_seconds: float = 1.0,
        max_backoff_seconds: float = 10.0,
    ) -> None:
        self._engine = engine
        self._broker_url = broker_url
        self._topology = topology
        self._name = name
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._max_backoff = max_backoff_seconds
        self._publisher: ConfirmedPublisher | None = None

    def publish_batch(self) -> BatchResult:
        """Publish up to one batch of unsent rows and mark what the broker confirmed.

        The whole batch is sent before waiting for confirms (one round trip per
        batch, not per event). Rows the broker confirmed are marked sent, rows
        it returned as unroutable are marked sent and flagged; refused or
        unconfirmed rows stay unsent for the next pass. A broker failure is
        returned in ``error`` after the confirmed rows have been marked.
        """
        publisher = self._ensure_publisher()
        with self._engine.begin() as connection:
            rows = connection.execute(
                select(outbox.c.position, outbox.c.event_id, outbox.c.event_name, outbox.c.body)
                .where(outbox.c.sent_at.is_(None))
                .order_by(outbox.c.position)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return BatchResult(0, 0)
            outcome = publisher.publish(
                self._topology.exchange,
                [OutgoingMessage(row.position, row.event_name, row.body.encode(), row.event_id) for row in rows],
            )
            if outcome.confirmed:
                connection.execute(
                    update(outbox).where(outbox.c.position.in_(outcome.confirmed)).values(sent_at=func.now())
                )
            if outcome.returned:
                # Nobody subscribes to these events yet: keep the rows as a record, flagged.
                log.warning("event.unroutable", count=len(outcome.returned))
                connection.execute(
                    update(outbox)
                    .where(outbox.c.position.in_(outcome.returned))
                    .values(sent_at=func.now(), unroutable=True)
                )
            settled = set(outcome.confirmed) | set(outcome.returned)
            unsettled = [row.position for row in rows if row.position not in settled]
            if unsettled:
                connection.execute(
                    update(outbox)
                    .where(outbox.c.position.in_(unsettled))
                    .values(publish_attempts=outbox.c.publish_attempts + 1)
                )
        if outcome.error is not None:
            self._drop_connection()
        return BatchResult(len(outcome.confirmed), len(outcome.returned), outcome.error)

    def run(self, stop: threading.Event) -> None:
        """Publish until ``stop`` is set, surviving broker and database outages."""
        backoff = 0.0
        listener: psycopg.Connection | None = None
        while not stop.is_set():
            try:
                if listener is None:
                    listener = self._listen()
                result = self.publish_batch()
                if result.error is not None:
                    raise result.error
                backoff = 0.0
                if result.handled < self._batch_size:
                    self._wait_for_commit(listener)
            except (AMQPError, OSError, DBAPIError, psycopg.Error) as exc:
                backoff = min(self._max_backoff, max(0.2, backoff * 2))
                log.warning("relay.retrying", error=type(exc).__name__, retry_in_seconds=backoff)
                self._drop_connection()
                if listener is not None:
                    listener.close()
                    listener = None
                stop.wait(backoff)
        self._drop_connection()
        if listener is not None:
            listener.close()

    def close(self) -> None:
        """Close the broker connection."""
        self._drop_connection()

    def _listen(self) -> psycopg.Connection:
        url = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        listener = psycopg.connect(url, autocommit=True)
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        return listener

    def _wait_for_commit(self, listener: psycopg.Connection) -> None:
        for _ in listener.notifies(timeout=self._idle_seconds, stop_after=1):
            pass

    def _ensure_publisher(self) -> ConfirmedPublisher:
        if self._publisher is None or not self._publisher.is_open:
            self._drop_connection()
            declaring = connect(self._broker_url, name=f"{self._name}-relay-declare")
            try:
                self._topology.declare_exchanges(declaring.channel())
            finally:
                declaring.close()
            publisher = ConfirmedPublisher(self._broker_url, name=f"{self._name}-relay", app_id=self._name)
            publisher.open()
            self._publisher = publisher
        return self._publisher

    def _drop_connection(self) -> None:
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            publisher.close()

