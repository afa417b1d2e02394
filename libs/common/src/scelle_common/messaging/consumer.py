"""The event consumer: one quorum queue, handlers by event name, exactly-once effects.

For each delivery: parse the envelope, open a unit of work, claim the event in
the inbox (a duplicate is acknowledged with no effect), run the handler,
commit, then acknowledge. Deliveries that arrive together (up to the prefetch)
share one transaction and one acknowledgement while they all succeed. A :class:`PermanentError` or an unreadable message is
rejected without requeue (→ DLQ); any other exception is requeued, which the
queue bounds with its delivery limit before dead-lettering it — unless the
database does not answer: then the deliveries are held, unacknowledged, and
handled again after a pause, so an outage never spends their redeliveries.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Sequence
from typing import Any

from pika.exceptions import AMQPError
from pika.spec import Basic, BasicProperties
from sqlalchemy import text

from scelle_common.db import UnitOfWork
from scelle_common.events import Event, EventFormatError, parse_event
from scelle_common.logging import bind_context, get_logger
from scelle_common.messaging.errors import PermanentError
from scelle_common.messaging.inbox import Inbox
from scelle_common.messaging.topology import Topology, connect

log = get_logger(__name__)

Handler = Callable[[Any, Event], None]


class Outcome(enum.Enum):
    """What happens to a delivery once it has been handled."""

    ACK = "ack"
    DEAD_LETTER = "dead_letter"
    REQUEUE = "requeue"


class EventHandlers:
    """A registry of handlers by event name; its names are the queue's bindings.

    >>> handlers = EventHandlers()
    >>> @handlers.on("designation.accepted.v1")
    ... def create_expertise(uow, event): ...
    """

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def on(self, name: str) -> Callable[[Handler], Handler]:
        """Register the decorated function for events called ``name``."""

        def register(handler: Handler) -> Handler:
            if name in self._handlers:
                raise ValueError(f"a handler for {name} is already registered")
            self._handlers[name] = handler
            return handler

        return register

    def get(self, name: str) -> Handler | None:
        return self._handlers.get(name)

    @property
    def names(self) -> list[str]:
        return sorted(self._handlers)


class Consumer:
    """Consumes one queue with the given handlers.

    ``prefetch`` bounds unacknowledged messages held by this process: enough to
    hide the broker round trip, small enough that a crash hands few messages
    back for redelivery.
    """

    def __init__(
        self,
        *,
        broker_url: str,
        topology: Topology,
        queue: str,
        handlers: EventHandlers,
        unit_of_work: Callable[[], UnitOfWork],
        prefetch: int = 32,
        max_backoff_seconds: float = 10.0,
    ) -> None:
        self._broker_url = broker_url
        self._topology = topology
        self.queue = queue
        self._handlers = handlers
        self._unit_of_work = unit_of_work
        self._inbox = Inbox(queue)
        self._prefetch = prefetch
        self._max_backoff = max_backoff_seconds
        self._deliveries: list[tuple[int, bytes]] = []

    def handle(self, body: bytes) -> Outcome:
        """Apply one message body and say what to do with the delivery (no broker I/O)."""
        return self.handle_batch([body])[0]

    def handle_batch(self, bodies: Sequence[bytes]) -> list[Outcome]:
        """Apply several deliveries and say what to do with each (no broker I/O).

        All readable events are first applied in one transaction (one commit
        for the batch). If any of them fails, that transaction is rolled back
        and each event is applied again in its own transaction, so one bad
        event never blocks or undoes the others. Handlers must therefore act
        only through the unit of work (its session and outbox).
        """
        outcomes: list[Outcome | None] = [None] * len(bodies)
        events: dict[int, Event] = {}
        for index, body in enumerate(bodies):
            try:
                events[index] = parse_event(body)
            except EventFormatError as exc:
                log.error("event.unreadable", queue=self.queue, reason=str(exc))
                outcomes[index] = Outcome.DEAD_LETTER
        if len(events) > 1 and self._apply_together(list(events.values())):
            for index in events:
                outcomes[index] = Outcome.ACK
        else:
            for index, event in events.items():
                outcomes[index] = self._apply_alone(event)
        return [outcome or Outcome.DEAD_LETTER for outcome in outcomes]

    def _apply_together(self, events: list[Event]) -> bool:
        try:
            with self._unit_of_work() as uow:
                for event in events:
                    self._apply(uow, event)
                uow.commit()
        except Exception:
            log.info("event.batch_retried_one_by_one", queue=self.queue, size=len(events))
            return False
        return True

    def _apply_alone(self, event: Event) -> Outcome:
        with bind_context(correlation_id=event.correlation_id, event_id=event.id, event_name=event.name):
            try:
                with self._unit_of_work() as uow:
                    self._apply(uow, event)
                    uow.commit()
            except PermanentError as exc:
                log.error("event.rejected", reason=str(exc))
                return Outcome.DEAD_LETTER
            except Exception:
                log.exception("event.failed_will_retry")
                return Outcome.REQUEUE
            return Outcome.ACK

    def _apply(self, uow: UnitOfWork, event: Event) -> None:
        handler = self._handlers.get(event.name)
        if handler is None:
            log.warning("event.no_handler", queue=self.queue, event_name=event.name)
            return
        if not self._inbox.claim(uow.session, event):
            log.info("event.duplicate_skipped", event_id=event.id, event_name=event.name)
            return
        handler(uow, event)
        log.debug("event.applied", event_id=event.id, event_name=event.name)

    def declare(self) -> None:
        """Declare this consumer's queue, its DLQ and bindings (idempotent)."""
        connection = connect(self._broker_url, name=f"{self.queue}-declare")
        try:
            self._topology.declare_queue(connection.channel(), self.queue, self._handlers.names)
        finally:
            connection.close()

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set, reconnecting with backoff when the broker goes away.

        The message being handled when ``stop`` is set is finished and
        acknowledged before returning.
        """
        backoff = 0.0
        while not stop.is_set():
            connection = None
            try:
                connection = connect(self._broker_url, name=f"{self.queue}-consumer")
                channel = connection.channel()
                self._topology.declare_queue(channel, self.queue, self._handlers.names)
                channel.basic_qos(prefetch_count=self._prefetch)
                self._deliveries.clear()
                tag = channel.basic_consume(self.queue, self._on_message)
                backoff = database_backoff = 0.0
                log.info("consumer.started", queue=self.queue)
                while not stop.is_set():
                    # Returns as soon as deliveries arrived; each one is buffered by _on_message.
                    connection.process_data_events(time_limit=0.5)
                    if not self._deliveries:
                        continue
                    if self._settle(channel):
                        database_backoff = 0.0
                    else:
                        database_backoff = min(self._max_backoff, max(0.2, database_backoff * 2))
                        log.warning("consumer.database_unavailable", queue=self.queue,
                                    held=len(self._deliveries), retry_in_seconds=database_backoff)
                        # Sleeping through the connection keeps its heartbeats going.
                        connection.sleep(database_backoff)
                channel.basic_cancel(tag)
            except (AMQPError, OSError) as exc:
                backoff = min(self._max_backoff, max(0.2, backoff * 2))
                log.warning("consumer.reconnecting", error=type(exc).__name__, retry_in_seconds=backoff)
                stop.wait(backoff)
            finally:
                if connection is not None and connection.is_open:
                    try:
                        connection.close()
                    except AMQPError:
                        pass

    def _on_message(self, _channel: Any, method: Basic.Deliver, _properties: BasicProperties, body: bytes) -> None:
        self._deliveries.append((method.delivery_tag, body))

    def _settle(self, channel: Any) -> bool:
        """Handle the buffered deliveries; False when the database is down and some wait to be retried."""
        deliveries, self._deliveries = self._deliveries, []
        outcomes = self.handle_batch([body for _tag, body in deliveries])
        if all(outcome is Outcome.ACK for outcome in outcomes):
            channel.basic_ack(deliveries[-1][0], multiple=True)
            return True
        hold = Outcome.REQUEUE in outcomes and not self._database_answers()
        held = []
        for delivery, outcome in zip(deliveries, outcomes, strict=True):
            if outcome is Outcome.ACK:
                channel.basic_ack(delivery[0])
            elif outcome is Outcome.REQUEUE and hold:
                held.append(delivery)
            else:
                channel.basic_nack(delivery[0], requeue=outcome is Outcome.REQUEUE)
        # Held deliveries go first again, before what arrived meanwhile.
        self._deliveries[:0] = held
        return not held

    def _database_answers(self) -> bool:
        try:
            with self._unit_of_work() as uow:
                uow.session.execute(text("SELECT 1"))
        except Exception:
            return False
        return True
