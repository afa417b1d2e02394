"""A consumer whose database goes away holds its deliveries instead of burning their redeliveries.

The queue dead-letters a message after ``delivery_limit`` deliveries; requeueing at full speed while
the database restarts would spend them in milliseconds and send sound events to the DLQ.
"""

from __future__ import annotations

import time
import uuid

from scelle_common.db import UnitOfWork, make_engine, make_session_factory
from scelle_common.events import serialize_event
from scelle_common.messaging.topology import Topology

from .conftest import MIGRATIONS, effects, make_consumer, thing_happened
from .test_bus import publish_raw, queue_depth, wait_until


def test_events_arriving_while_the_database_is_down_are_applied_once_when_it_is_back(
    private_postgres, bus_namespace, running
):
    engine = make_engine(private_postgres.create_database(f"outage_{uuid.uuid4().hex[:8]}", MIGRATIONS))
    factory = make_session_factory(engine)
    try:
        consumer = make_consumer(bus_namespace, lambda: UnitOfWork(factory))
        consumer.declare()
        running.start(consumer.run)
        before = thing_happened("before")
        publish_raw(bus_namespace.broker_url, bus_namespace.topology, serialize_event(before))
        wait_until(lambda: len(effects(engine)) == 1, message="the event before the outage")

        private_postgres.stop()
        during = [thing_happened(f"during {index}") for index in range(10)]
        for event in during:
            publish_raw(bus_namespace.broker_url, bus_namespace.topology, serialize_event(event))
        # Long enough for a requeueing consumer to exhaust the delivery limit many times over.
        time.sleep(3)
        dead_letters = Topology.dead_letter_queue(bus_namespace.queue("tests", "effects"))
        assert queue_depth(bus_namespace.broker_url, dead_letters) == 0

        private_postgres.start()
        wait_until(lambda: len(effects(engine)) == 11, timeout=30, message="the events held during the outage")
        time.sleep(0.5)
        applied = [event_id for event_id, _ in effects(engine)]
        assert sorted(applied) == sorted(event.id for event in [before, *during])
        assert queue_depth(bus_namespace.broker_url, dead_letters) == 0
    finally:
        engine.dispose()
