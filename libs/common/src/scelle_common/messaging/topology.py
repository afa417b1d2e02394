"""Exchange and queue declarations, and broker connections.

One durable topic exchange (``scelle.events``), routing key = event name. Each
consumer purpose owns a durable quorum queue ``<service>.<purpose>`` with an
explicit delivery limit; rejected or exhausted messages are dead-lettered
(at-least-once) through ``scelle.events.dlx`` to ``<queue>.dlq``.

Tests give the exchange and the queue prefix unique names so that runs sharing
one broker never see each other's messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pika
from pika.adapters.blocking_connection import BlockingChannel


def connect(url: str, *, name: str, heartbeat: int = 30) -> pika.BlockingConnection:
    """A blocking connection to ``url`` named ``name`` in the broker's connection list."""
    parameters = pika.URLParameters(url)
    parameters.client_properties = {"connection_name": name}
    parameters.heartbeat = heartbeat
    parameters.blocked_connection_timeout = 60
    parameters.connection_attempts = 1
    parameters.socket_timeout = 5
    return pika.BlockingConnection(parameters)


@dataclass(frozen=True)
class Topology:
    """Names and arguments of the exchanges and queues."""

    exchange: str = "scelle.events"
    queue_prefix: str = ""
    delivery_limit: int = 5

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.exchange}.dlx"

    def queue_name(self, service: str, purpose: str) -> str:
        """``<service>.<purpose>`` (with the test prefix, if any)."""
        return f"{self.queue_prefix}{service}.{purpose}"

    @staticmethod
    def dead_letter_queue(queue: str) -> str:
        return f"{queue}.dlq"

    def declare_exchanges(self, channel: BlockingChannel) -> None:
        """Declare the event exchange and the dead-letter exchange (idempotent)."""
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        channel.exchange_declare(self.dead_letter_exchange, exchange_type="direct", durable=True)

    def declare_queue(self, channel: BlockingChannel, queue: str, routing_keys: Iterable[str]) -> None:
        """Declare ``queue`` and its DLQ, bound to ``routing_keys`` (idempotent)."""
        self.declare_exchanges(channel)
        dead_letters = self.dead_letter_queue(queue)
        channel.queue_declare(dead_letters, durable=True, arguments={"x-queue-type": "quorum"})
        channel.queue_bind(dead_letters, self.dead_letter_exchange, routing_key=queue)
        channel.queue_declare(
            queue,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": self.delivery_limit,
                "x-dead-letter-exchange": self.dead_letter_exchange,
                "x-dead-letter-routing-key": queue,
                # at-least-once dead-lettering needs reject-publish overflow.
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )
        for routing_key in routing_keys:
            channel.queue_bind(queue, self.exchange, routing_key=routing_key)
