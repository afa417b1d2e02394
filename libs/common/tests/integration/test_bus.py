"""The outbox → relay → broker → consumer → inbox chain against real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from scelle_common.events import serialize_event
from scelle_common.messaging import Outbox, connect, replay_dead_letters
from scelle_common.messaging.topology import Topology

from .conftest import (
    EVENT_NAME,
    commit_events,
    effects,
    make_consumer,
    make_relay,
    thing_happened,
)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def queue_depth(broker_url: str, queue: str) -> int:
    connection = connect(broker_url, name="test-depth")
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def publish_raw(broker_url: str, topology: Topology, body: bytes, routing_key: str = EVENT_NAME) -> None:
    connection = connect(broker_url, name="test-publisher")
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish(topology.exchange, routing_key, body, mandatory=True)
    finally:
        connection.close()


def unsent_rows(engine) -> int:  # noqa: ANN001
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar_one()


def test_an_event_written_in_a_rolled_back_transaction_is_never_published(
    engine, unit_of_work, bus_namespace, running
):
    consumer = make_consumer(bus_namespace, unit_of_work)
    consumer.declare()
    with unit_of_work() as uow:
        Outbox().add(uow.session, thing_happened("rolled back"))
        uow.rollback()
    committed = thing_happened("committed")
    commit_events(unit_of_work, [committed])

    running.start(make_relay(engine, bus_namespace).run)
    running.start(consumer.run)

    wait_until(lambda: len(effects(engine)) >= 1, message="the committed event")
    time.sleep(0.5)
    assert effects(engine) == [(committed.id, "committed")]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM outbox")).scalar_one() == 1


def test_committed_events_are_published_exactly_once_with_two_relays_running(
    engine, unit_of_work, bus_namespace, running
):
    consumer = make_consumer(bus_namespace, unit_of_work)
    consumer.declare()
    events = [thing_happened(f"event {index}") for index in range(600)]
    running.start(make_relay(engine, bus_namespace, name="relay-a").run)
    running.start(make_relay(engine, bus_namespace, name="relay-b").run)
    for start in range(0, len(events), 50):
        commit_events(unit_of_work, events[start:start + 50])

    wait_until(lambda: unsent_rows(engine) == 0, message="every outbox row sent")
    queue = bus_namespace.queue("tests", "effects")
    assert queue_depth(bus_namespace.broker_url, queue) == len(events)

    running.start(consumer.run)
    wait_until(lambda: len(effects(engine)) == len(events), message="every effect")
    assert sorted(event_id for event_id, _ in effects(engine)) == sorted(event.id for event in events)


def test_commits_succeed_while_the_broker_is_down_and_every_event_arrives_after_it_restarts(
    engine, unit_of_work, bus_namespace, running, private_rabbitmq
):
    broker = private_rabbitmq.url
    consumer = make_consumer(bus_namespace, unit_of_work, broker_url=broker)
    consumer.declare()
    before = [thing_happened(f"before {index}") for index in range(20)]
    commit_events(unit_of_work, before)
    running.start(make_relay(engine, bus_namespace, broker_url=broker).run)
    running.start(consumer.run)
    wait_until(lambda: len(effects(engine)) == 20, message="events before the outage")

    private_rabbitmq.stop()
    during = [thing_happened(f"during {index}") for index in range(50)]
    for event in during:
        commit_events(unit_of_work, [event])
    time.sleep(1.0)
    assert unsent_rows(engine) == 50

    private_rabbitmq.start()
    wait_until(lambda: len(effects(engine)) == 70, timeout=60, message="events committed during the outage")
    time.sleep(1.0)
    applied = [event_id for event_id, _ in effects(engine)]
    assert sorted(applied) == sorted(event.id for event in before + during)
    assert len(set(applied)) == len(applied)


def test_a_message_delivered_twice_has_one_effect(engine, unit_of_work, bus_namespace, running):
    consumer = make_consumer(bus_namespace, unit_of_work)
    consumer.declare()
    event = thing_happened("twice")
    body = serialize_event(event)
    publish_raw(bus_namespace.broker_url, bus_namespace.topology, body)
    publish_raw(bus_namespace.broker_url, bus_namespace.topology, body)
    running.start(consumer.run)

    queue = bus_namespace.queue("tests", "effects")
    wait_until(lambda: queue_depth(bus_namespace.broker_url, queue) == 0, message="both deliveries handled")
    time.sleep(0.3)
    assert effects(engine) == [(event.id, "twice")]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM inbox")).scalar_one() == 1


def test_a_poison_message_lands_in_the_dlq_and_replay_brings_it_back(engine, unit_of_work, bus_namespace, running):
    poisoned = {"armed": True}

    def fragile_handler(uow, event):  # noqa: ANN001
        if poisoned["armed"]:
            raise RuntimeError("a bug in the handler")
        uow.session.execute(text("INSERT INTO effects (event_id, note) VALUES (:id, 'recovered')"), {"id": event.id})

    consumer = make_consumer(bus_namespace, unit_of_work, handler=fragile_handler)
    consumer.declare()
    queue = bus_namespace.queue("tests", "effects")
    dead_letters = Topology.dead_letter_queue(queue)
    event = thing_happened("poison")
    publish_raw(bus_namespace.broker_url, bus_namespace.topology, serialize_event(event))
    publish_raw(bus_namespace.broker_url, bus_namespace.topology, b"{not json at all")
    running.start(consumer.run)

    # The transient failure is retried up to the delivery limit, the unreadable one at once.
    wait_until(lambda: queue_depth(bus_namespace.broker_url, dead_letters) == 2, message="both in the DLQ")
    assert effects(engine) == []

    poisoned["armed"] = False
    assert replay_dead_letters(bus_namespace.broker_url, queue) == 2
    wait_until(lambda: effects(engine) == [(event.id, "recovered")], message="the replayed event applied")
    # The unreadable message can never be applied: replay sends it straight back to the DLQ.
    wait_until(lambda: queue_depth(bus_namespace.broker_url, dead_letters) == 1, message="the unreadable one back")


CONSUMER_SCRIPT = Path(__file__).parent / "slow_consumer.py"


def start_consumer_process(namespace, database_url: str, mode: str) -> tuple[subprocess.Popen, Path]:  # noqa: ANN001
    started = Path(os.environ.get("TMPDIR", "/tmp")) / f"{namespace.topology.queue_prefix}{mode}.started"
    process = subprocess.Popen(
        [sys.executable, str(CONSUMER_SCRIPT), database_url, namespace.broker_url,
         namespace.topology.exchange, namespace.topology.queue_prefix, str(started), mode],
    )
    return process, started


def test_a_consumer_killed_mid_message_gets_it_redelivered(engine, unit_of_work, bus_namespace, running, database_url):
    make_consumer(bus_namespace, unit_of_work).declare()
    event = thing_happened("survives a crash")
    publish_raw(bus_namespace.broker_url, bus_namespace.topology, serialize_event(event))

    victim, started = start_consumer_process(bus_namespace, database_url, "hang")
    try:
        wait_until(started.exists, message="the victim to start handling the message")
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
    finally:
        if victim.poll() is None:
            victim.kill()
        started.unlink(missing_ok=True)
    assert effects(engine) == []

    running.start(make_consumer(bus_namespace, unit_of_work).run)
    wait_until(lambda: effects(engine) == [(event.id, "survives a crash")], message="the redelivered message")


def test_sigterm_lets_the_consumer_finish_and_acknowledge_the_message_in_hand(
    engine, unit_of_work, bus_namespace, database_url
):
    make_consumer(bus_namespace, unit_of_work).declare()
    event = thing_happened("finished before exit")
    publish_raw(bus_namespace.broker_url, bus_namespace.topology, serialize_event(event))

    consumer, started = start_consumer_process(bus_namespace, database_url, "slow")
    try:
        wait_until(started.exists, message="the consumer to start handling the message")
        consumer.send_signal(signal.SIGTERM)
        assert consumer.wait(timeout=15) == 0
    finally:
        if consumer.poll() is None:
            consumer.kill()
        started.unlink(missing_ok=True)
    assert effects(engine) == [(event.id, "finished before exit")]
    assert queue_depth(bus_namespace.broker_url, bus_namespace.queue("tests", "effects")) == 0


def test_one_failing_event_in_a_batch_neither_blocks_nor_undoes_the_others(engine, unit_of_work, bus_namespace):
    from scelle_common.messaging import Outcome, PermanentError

    def picky_handler(uow, event):  # noqa: ANN001
        if event.data["note"] == "bad":
            raise PermanentError("refused")
        uow.session.execute(text("INSERT INTO effects (event_id, note) VALUES (:id, :note)"),
                            {"id": event.id, "note": event.data["note"]})

    consumer = make_consumer(bus_namespace, unit_of_work, handler=picky_handler)
    good, bad, also_good = thing_happened("good"), thing_happened("bad"), thing_happened("also good")
    outcomes = consumer.handle_batch([serialize_event(good), serialize_event(bad), b"garbage",
                                      serialize_event(also_good), serialize_event(good)])
    assert outcomes == [Outcome.ACK, Outcome.DEAD_LETTER, Outcome.DEAD_LETTER, Outcome.ACK, Outcome.ACK]
    assert effects(engine) == [(good.id, "good"), (also_good.id, "also good")]
