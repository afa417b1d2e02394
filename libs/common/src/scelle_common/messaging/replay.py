"""Bring dead-lettered messages back to the queue they were dead-lettered from."""

from __future__ import annotations

import pika

from scelle_common.logging import get_logger
from scelle_common.messaging.topology import Topology, connect

log = get_logger(__name__)

# Broker bookkeeping that must not follow a replayed message (it would count
# the old deaths against the new delivery).
_DEATH_HEADERS = {"x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
                  "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason", "x-delivery-count"}


def replay_dead_letters(broker_url: str, queue: str, *, limit: int | None = None) -> int:
    """Move up to ``limit`` messages (all by default) from ``<queue>.dlq`` back to ``queue``.

    Each message is republished to ``queue`` alone (not to every subscriber of
    its event) with publisher confirms, and only then removed from the DLQ, so
    a crash mid-replay loses nothing. Only the messages present when the replay
    starts are moved: one that fails again comes back to the DLQ and is not
    replayed in a loop. Returns how many were moved.
    """
    connection = connect(broker_url, name=f"{queue}-replay")
    moved = 0
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        dead_letters = Topology.dead_letter_queue(queue)
        waiting = channel.queue_declare(dead_letters, passive=True).method.message_count
        budget = waiting if limit is None else min(limit, waiting)
        while moved < budget:
            method, properties, body = channel.basic_get(dead_letters, auto_ack=False)
            if method is None:
                break
            headers = {key: value for key, value in (properties.headers or {}).items()
                       if key not in _DEATH_HEADERS}
            headers["x-scelle-replayed"] = int(headers.get("x-scelle-replayed", 0)) + 1
            channel.basic_publish(
                exchange="",
                routing_key=queue,
                body=body,
                properties=pika.BasicProperties(
                    content_type=properties.content_type,
                    delivery_mode=pika.DeliveryMode.Persistent,
                    message_id=properties.message_id,
                    app_id=properties.app_id,
                    headers=headers,
                ),
                mandatory=True,
            )
            channel.basic_ack(method.delivery_tag)
            moved += 1
    finally:
        connection.close()
    log.info("dlq.replayed", queue=queue, moved=moved)
    return moved
