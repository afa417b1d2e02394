"""Publishing a batch with pipelined publisher confirms.

pika's ``BlockingChannel`` waits for each confirm before the next publish, which
caps a relay at one broker round trip per event. This publisher drives a
``SelectConnection`` synchronously instead: it sends a whole batch, then waits
until the broker has confirmed (or returned, or refused) every message of it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pika
from pika.adapters.select_connection import SelectConnection
from pika.exceptions import AMQPConnectionError, AMQPError
from pika.spec import Basic

from scelle_common.events import CONTENT_TYPE


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to publish; ``key`` identifies it in the outcome."""

    key: int
    routing_key: str
    body: bytes
    message_id: str


@dataclass
class PublishOutcome:
    """What the broker said about each message of a batch."""

    confirmed: list[int] = field(default_factory=list)
    returned: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    error: Exception | None = None


class ConfirmedPublisher:
    """A connection and channel in confirm mode, used from one thread at a time."""

    def __init__(self, url: str, *, name: str, app_id: str, timeout_seconds: float = 30.0) -> None:
        parameters = pika.URLParameters(url)
        parameters.client_properties = {"connection_name": name}
        parameters.connection_attempts = 1
        parameters.socket_timeout = 5
        self._parameters = parameters
        self._app_id = app_id
        self._timeout = timeout_seconds
        self._connection: SelectConnection | None = None
        self._channel: pika.channel.Channel | None = None
        self._failure: Exception | None = None
        self._pending: dict[int, int] = {}
        self._returned: set[str] = set()
        self._outcome = PublishOutcome()
        self._keys_by_message_id: dict[str, int] = {}
        self._tags = itertools.count(1)
        self._confirming = False

    @property
    def is_open(self) -> bool:
        return self._channel is not None and self._channel.is_open and self._failure is None

    def open(self) -> None:
        """Connect and put a channel in confirm mode, or raise ``AMQPConnectionError``."""
        self._failure = None
        self._confirming = False
        self._tags = itertools.count(1)
        self._connection = SelectConnection(
            self._parameters,
            on_open_callback=lambda connection: connection.channel(on_open_callback=self._on_channel_open),
            on_open_error_callback=lambda _connection, error: self._fail(error),
            on_close_callback=lambda _connection, reason: self._fail(reason),
        )
        # IOLoop.start() would do this; we drive the loop ourselves, one batch at a time.
        self._connection.ioloop.activate_poller()
        self._drive(lambda: self._channel is not None and self._confirming)
        if self._failure is not None:
            failure, self._failure = self._failure, None
            self.close()
            raise AMQPConnectionError(str(failure))

    def _on_channel_open(self, channel: pika.channel.Channel) -> None:
        channel.add_on_close_callback(lambda _channel, reason: self._fail(reason))
        channel.add_on_return_callback(self._on_return)
        channel.confirm_delivery(self._on_confirm, callback=self._on_confirm_selected)
        self._channel = channel

    def _on_confirm_selected(self, _frame: object) -> None:
        self._confirming = True

    def publish(self, exchange: str, messages: Sequence[OutgoingMessage]) -> PublishOutcome:
        """Publish ``messages`` persistent and mandatory; wait for every confirm.

        A message the broker neither confirmed nor refused before the
        connection failed appears nowhere in the outcome: it must be published
        again (consumers deduplicate by id).
        """
        self._outcome = PublishOutcome()
        self._pending.clear()
        self._returned.clear()
        self._keys_by_message_id = {message.message_id: message.key for message in messages}
        if not self.is_open:
            self._outcome.error = AMQPConnectionError("publisher is not connected")
            return self._outcome
        assert self._channel is not None
        try:
            for message in messages:
                self._channel.basic_publish(
                    exchange,
                    message.routing_key,
                    message.body,
                    properties=pika.BasicProperties(
                        content_type=CONTENT_TYPE,
                        delivery_mode=pika.DeliveryMode.Persistent,
                        message_id=message.message_id,
                        app_id=self._app_id,
                    ),
                    mandatory=True,
                )
                self._pending[next(self._tags)] = message.key
        except AMQPError as exc:
            self._fail(exc)
        self._drive(lambda: not self._pending)
        if self._pending and self._failure is None:
            self._fail(TimeoutError(f"{len(self._pending)} confirm(s) not received in {self._timeout}s"))
        self._outcome.error = self._failure
        return self._outcome

    def close(self) -> None:
        """Close the connection (best effort)."""
        connection, self._connection, self._channel = self._connection, None, None
        self._confirming = False
        if connection is not None and not connection.is_closed:
            try:
                connection.close()
                deadline = time.monotonic() + 5
                while not connection.is_closed and time.monotonic() < deadline:
                    connection.ioloop.poll()
                    connection.ioloop.process_timeouts()
            except AMQPError:
                pass
            connection.ioloop.close()

    def _drive(self, done: Callable[[], bool]) -> None:
        assert self._connection is not None
        deadline = time.monotonic() + self._timeout
        while not done() and self._failure is None and time.monotonic() < deadline:
            self._connection.ioloop.poll()
            self._connection.ioloop.process_timeouts()

    def _fail(self, reason: object) -> None:
        if self._failure is None:
            self._failure = reason if isinstance(reason, Exception) else AMQPConnectionError(str(reason))

    def _on_return(self, _channel: object, _method: Basic.Return, properties: pika.BasicProperties, _body: bytes) -> None:
        # A return always precedes the confirm of the same message.
        if properties.message_id:
            self._returned.add(properties.message_id)

    def _on_confirm(self, frame: pika.frame.Method) -> None:
        method = frame.method
        tags = [tag for tag in self._pending if tag <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        returned_keys = {self._keys_by_message_id[message_id] for message_id in self._returned
                         if message_id in self._keys_by_message_id}
        for tag in tags:
            key = self._pending.pop(tag, None)
            if key is None:
                continue
            if isinstance(method, Basic.Nack):
                self._outcome.refused.append(key)
            elif key in returned_keys:
                self._outcome.returned.append(key)
            else:
                self._outcome.confirmed.append(key)
