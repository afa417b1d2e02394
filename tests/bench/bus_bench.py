"""Event bus benchmark: Scellé outbox → relay → RabbitMQ → consumer → inbox, against raw pika.

Run it from the repository root (tests/bench/README.md says more)::

    .venv/bin/python tests/bench/bus_bench.py [--events N] [--json] [--relays 2] [--stages]
    ./scelle bench tests/bench/bus_bench.py

One run measures, on this machine and against the same PostgreSQL and RabbitMQ:

1. **Scellé bus, end to end.** A producer process (the application is another
   process in real life) commits events with ``Outbox().add(session, *events)``,
   ``--per-transaction`` events per transaction (10 by default). One
   :class:`Relay` thread (``--relays``) publishes them; one :class:`Consumer`
   thread applies each in its own unit of work — inbox claim + one ``effects``
   row, COMMIT, then ack — all with the library's defaults (relay batch 200,
   prefetch 32, ``make_engine`` pools).

   * ``data.committed_at`` is ``time.time()`` read in the producer just before
     ``Outbox.add`` (serialisation, INSERT of the outbox rows, NOTIFY) and the
     transaction's ``COMMIT``; the producer's share (that call + COMMIT) is
     reported separately.
   * An event is *done* when ``time.time()``, read in the consumer thread right
     after its unit of work's ``COMMIT`` returned (effect and inbox rows
     durable; the ack is sent just after), is recorded for it.
   * **Saturated throughput**: the producer commits as fast as it can;
     events/s = measured events ÷ (last event done − first ``committed_at``).
     Latencies in this phase include the backlog (the producer outruns the
     bus), so they grow with ``--events``.
   * **Paced latency**: the producer commits at ``--paced-rate`` events/s, below
     the bus's capacity; its latencies are the bus's own delay.

2. **Raw pika baseline.** Same message count and body size: one publisher thread
   with ``confirm_delivery()`` publishing persistent, mandatory messages through
   a topic exchange into a durable quorum queue declared exactly like the bus
   queue, one consumer thread with manual ack and the same prefetch. Latency =
   after ``basic_ack`` in the consumer − before ``basic_publish``; events/s =
   messages ÷ (last consumed − first publish).

3. **Stages** (``--no-stages`` skips them): each half of the bus alone — the
   relay draining a pre-filled outbox (consumer stopped), then the consumer
   draining the filled queue (relay stopped) — to tell which one limits.

Both paths are warmed up first (``--warmup`` messages through the whole path,
waited for, not measured). Everything the benchmark creates — a database
``bench_bus_<token>`` built by the library's integration-test Alembic history
(``libs/common/tests/integration/migrations``), exchanges and queues named
``bench.<token>.…`` — is removed at the end, whatever happens.

The exit code is 0 whatever the figures are (this is a report); it is non-zero
only when the benchmark itself could not run.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import multiprocessing
import os
import platform
import signal
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pika
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from scelle_common.db import UnitOfWork, make_engine, make_session_factory
from scelle_common.events import CONTENT_TYPE, Event, new_event, serialize_event
from scelle_common.logging import configure_logging
from scelle_common.messaging import Consumer, EventHandlers, Outbox, Relay, Topology, connect

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "libs" / "common" / "tests" / "integration" / "migrations"
EVENT_NAME = "bench.thing_happened.v1"
RAW_ROUTING_KEY = "bench.raw_published.v1"
SERVICE = "bench"

TARGET_EVENTS_PER_SECOND = 1_000.0
TARGET_RATIO = 0.5

WARMUP, THROUGHPUT, PACED, STAGE = "warmup", "throughput", "paced", "stage"


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds only the report."""
    print(f"[bus_bench] {message}", file=sys.stderr, flush=True)


# --- measurements ------------------------------------------------------------------------------


@dataclass
class PathResult:
    """What one path (or phase) achieved on its measured messages."""

    name: str
    events: int
    wall_seconds: float
    events_per_second: float
    latency_ms: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def latency_summary(seconds: list[float]) -> dict[str, float]:
    """p50, p90, p99, max and mean of ``seconds``, in milliseconds."""
    if not seconds:
        return {}
    ordered = sorted(seconds)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {
        "p50": round(cuts[49] * 1000, 2),
        "p90": round(cuts[89] * 1000, 2),
        "p99": round(cuts[98] * 1000, 2),
        "max": round(ordered[-1] * 1000, 2),
        "mean": round(statistics.fmean(ordered) * 1000, 2),
    }


class Recorder:
    """When each message was done, by phase; wakes waiters as counts grow."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self.counts: collections.Counter[str] = collections.Counter()
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.last_done: dict[str, float] = collections.defaultdict(float)

    def done(self, phase: str, done_at: float, started_at: float) -> None:
        with self._condition:
            self.counts[phase] += 1
            self.latencies[phase].append(done_at - started_at)
            self.last_done[phase] = max(self.last_done[phase], done_at)
            self._condition.notify_all()

    def wait(self, phase: str, count: int, timeout: float) -> None:
        with self._condition:
            if not self._condition.wait_for(lambda: self.counts[phase] >= count, timeout=timeout):
                raise TimeoutError(f"timed out after {timeout:.0f}s: {self.counts[phase]} of {count} "
                                   f"{phase} messages done")


def cpu_idle_fraction(seconds: float = 1.0) -> float:
    """The machine's idle CPU share over ``seconds`` (1.0 when /proc/stat is unavailable)."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(value) for value in stat.readline().split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total

    try:
        idle_before, total_before = sample()
        time.sleep(seconds)
        idle_after, total_after = sample()
    except OSError:
        return 1.0
    return (idle_after - idle_before) / max(1, total_after - total_before)


# --- Scellé bus --------------------------------------------------------------------------------


def event_data(seq: int, phase: str, payload: str) -> dict[str, Any]:
    """A realistic ``data``: an entity id, an aggregate version, some state, and the bench's clock."""
    return {
        "thing_id": f"thing-{seq}",
        "thing_version": seq + 1,
        "state": payload,
        "phase": phase,
        "committed_at": 0.0,  # set just before Outbox.add
    }


def commit_events(factory: Callable[[], Any], outbox: Outbox, phase: str, seqs: range,
                  payload: str) -> tuple[float, float]:
    """One producer transaction; returns (``committed_at``, when COMMIT returned)."""
    events = [new_event(service=SERVICE, name=EVENT_NAME, subject=f"thing-{n}", data=event_data(n, phase, payload))
              for n in seqs]
    with UnitOfWork(factory) as uow:
        committed_at = time.time()
        for event in events:
            event.data["committed_at"] = committed_at
        outbox.add(uow.session, *events)
        uow.commit()
        return committed_at, time.time()


def produce(database_url: str, phase: str, first_seq: int, count: int, per_transaction: int, payload: str,
            rate: float, pipe: Connection) -> None:
    """Producer process: when told to, commit ``count`` events, ``per_transaction`` per transaction.

    ``rate`` > 0 paces the commits at that many events/s. Sends back
    ``(first committed_at, last COMMIT returned, [Outbox.add + COMMIT seconds per transaction])``.
    """
    configure_logging(SERVICE, "WARNING")
    engine = make_engine(database_url, pool_size=1)
    factory = make_session_factory(engine)
    outbox = Outbox()
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    pipe.send("ready")
    pipe.recv()
    first: float | None = None
    last = 0.0
    spent: list[float] = []
    start = time.monotonic()
    for offset in range(0, count, per_transaction):
        if rate > 0:
            delay = start + offset / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        seqs = range(first_seq + offset, first_seq + min(count, offset + per_transaction))
        committed_at, last = commit_events(factory, outbox, phase, seqs, payload)
        spent.append(last - committed_at)
        first = committed_at if first is None else first
    engine.dispose()
    pipe.send((first, last, spent))
    pipe.close()


class MeasuredUnitOfWork(UnitOfWork):
    """The consumer's unit of work; reports its events to the recorder once ``COMMIT`` returned."""

    def __init__(self, session_factory: Callable[[], Any], recorder: Recorder) -> None:
        super().__init__(session_factory)
        self._recorder = recorder
        self.applied: list[dict[str, Any]] = []

    def commit(self) -> None:
        super().commit()
        done_at = time.time()
        for data in self.applied:
            self._recorder.done(data["phase"], done_at, data["committed_at"])
        self.applied.clear()


def record_effect(uow: MeasuredUnitOfWork, event: Event) -> None:
    """The handler: one effect row per event (as in the library's integration tests)."""
    uow.session.execute(
        text("INSERT INTO effects (event_id, note) VALUES (:id, :note)"),
        {"id": event.id, "note": event.data["thing_id"]},
    )
    uow.applied.append(event.data)


class TimedRelay(Relay):
    """The library's relay, noting when it last published something (for the relay's own rate)."""

    last_published = 0.0

    def publish_batch(self) -> Any:
        result = super().publish_batch()
        if result.handled:
            self.last_published = time.time()  # the batch's rows are marked sent and committed
        return result


class Loop:
    """A library loop (``run(stop)``) in a daemon thread, stoppable on its own."""

    def __init__(self, run: Callable[[threading.Event], None], name: str) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=run, args=(self.stop,), name=name, daemon=True)
        self.thread.start()

    def halt(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def answer(process: multiprocessing.process.BaseProcess, pipe: Connection, timeout: float, what: str) -> Any:
    """The next message of a producer process; fails fast if it died."""
    deadline = time.monotonic() + timeout
    while not pipe.poll(0.1):
        if not process.is_alive():
            raise RuntimeError(f"{process.name} exited with {process.exitcode} before it could {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{process.name} did not {what} within {timeout:.0f}s")
    return pipe.recv()


def create_database(admin: Engine, server_url: str, name: str) -> str:
    """Create ``name`` and build it with the library's integration-test Alembic history."""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
    return url


class BusBench:
    """The Scellé side: one database, one queue, relay and consumer loops, producer processes."""

    def __init__(self, args: argparse.Namespace, database_url: str, broker_url: str, topology: Topology,
                 queue: str, payload: str) -> None:
        self.args = args
        self.database_url = database_url
        self.payload = payload
        self.recorder = Recorder()
        self.consumer_engine = make_engine(database_url)
        self.relay_engine = make_engine(database_url)
        self.producer_engine = make_engine(database_url, pool_size=1)
        session_factory = make_session_factory(self.consumer_engine)
        handlers = EventHandlers()
        handlers.on(EVENT_NAME)(record_effect)
        self.consumer = Consumer(broker_url=broker_url, topology=topology, queue=queue, handlers=handlers,
                                 unit_of_work=lambda: MeasuredUnitOfWork(session_factory, self.recorder),
                                 prefetch=args.prefetch)
        self.relays = [TimedRelay(self.relay_engine, broker_url, topology, name=f"{SERVICE}-{index}",
                                  batch_size=args.relay_batch) for index in range(args.relays)]
        self.consumer_loop: Loop | None = None
        self.relay_loops: list[Loop] = []
        self.next_seq = 0
        self.committed = 0

    # loops

    def start_consumer(self) -> None:
        self.consumer_loop = Loop(self.consumer.run, "bench-consumer")

    def start_relays(self) -> None:
        self.relay_loops = [Loop(relay.run, f"bench-relay-{index}") for index, relay in enumerate(self.relays)]

    def stop_consumer(self) -> None:
        if self.consumer_loop is not None:
            self.consumer_loop.halt()
            self.consumer_loop = None

    def stop_relays(self) -> None:
        for loop in self.relay_loops:
            loop.halt()
        self.relay_loops = []

    def close(self) -> None:
        self.stop_relays()
        self.stop_consumer()
        for relay in self.relays:
            relay.close()
        for engine in (self.consumer_engine, self.relay_engine, self.producer_engine):
            engine.dispose()

    # producing

    def commit_here(self, phase: str, count: int) -> None:
        """Commit ``count`` events from this process (warm-up and stage set-up: not timed)."""
        factory = make_session_factory(self.producer_engine)
        outbox = Outbox()
        for offset in range(0, count, self.args.per_transaction):
            seqs = range(self.next_seq + offset, self.next_seq + min(count, offset + self.args.per_transaction))
            commit_events(factory, outbox, phase, seqs, self.payload)
        self.next_seq += count
        self.committed += count

    def produce(self, phase: str, count: int, rate: float = 0.0) -> tuple[float, float, list[float]]:
        """Commit ``count`` events from ``--producers`` processes; (first committed_at, last COMMIT, spent)."""
        args = self.args
        context = multiprocessing.get_context("spawn")
        producers = []
        share, extra = divmod(count, args.producers)
        for index in range(args.producers):
            mine = share + (1 if index < extra else 0)
            ours, theirs = context.Pipe()
            process = context.Process(
                target=produce, name=f"bench-producer-{index}", daemon=True,
                args=(self.database_url, phase, self.next_seq, mine, args.per_transaction, self.payload,
                      rate / args.producers, theirs),
            )
            process.start()
            producers.append((process, ours))
            self.next_seq += mine
        try:
            for process, pipe in producers:
                answer(process, pipe, 60, "get ready")
            for _, pipe in producers:
                pipe.send("go")
            reports = [answer(process, pipe, args.timeout, "finish") for process, pipe in producers]
            for process, _ in producers:
                process.join(timeout=30)
                if process.exitcode != 0:
                    raise RuntimeError(f"{process.name} exited with {process.exitcode}")
        finally:
            for process, _ in producers:
                if process.is_alive():
                    process.kill()
        self.committed += count
        return (min(report[0] for report in reports), max(report[1] for report in reports),
                [seconds for report in reports for seconds in report[2]])

    # phases

    def warm_up(self) -> None:
        log(f"bus: warming up with {self.args.warmup} events")
        self.commit_here(WARMUP, self.args.warmup)
        self.recorder.wait(WARMUP, self.args.warmup, self.args.timeout)

    def measure(self, phase: str, count: int, rate: float = 0.0) -> PathResult:
        args = self.args
        log(f"bus: {phase}: {count} events, " + (f"paced at {rate:g} events/s" if rate else "unthrottled"))
        first_commit, last_commit, spent = self.produce(phase, count, rate)
        self.recorder.wait(phase, count, args.timeout)
        wall = self.recorder.last_done[phase] - first_commit
        details: dict[str, Any] = {
            "producer_events_per_second": round(count / (last_commit - first_commit), 1),
            "producer_add_commit_ms": latency_summary(spent),
        }
        if phase == THROUGHPUT:
            relayed = max(relay.last_published for relay in self.relays) - first_commit
            details["relay_events_per_second"] = round(count / relayed, 1)
        name = "Scellé bus, saturated" if phase == THROUGHPUT else f"Scellé bus, paced at {rate:g}/s"
        return PathResult(name=name, events=count, wall_seconds=round(wall, 3),
                          events_per_second=round(count / wall, 1),
                          latency_ms=latency_summary(self.recorder.latencies[phase]), details=details)

    def stages(self, count: int) -> dict[str, PathResult]:
        """The relay alone on a pre-filled outbox, then the consumer alone on the filled queue."""
        log(f"bus: stages: {count} events, relay alone then consumer alone")
        self.stop_consumer()
        self.stop_relays()
        self.commit_here(STAGE, count)
        started = time.time()
        self.start_relays()
        deadline = time.monotonic() + self.args.timeout
        while self.unsent() and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.unsent():
            raise TimeoutError("the relay did not drain the outbox in time")
        relay_seconds = max(relay.last_published for relay in self.relays) - started
        self.stop_relays()
        started = time.time()
        self.start_consumer()
        self.recorder.wait(STAGE, count, self.args.timeout)
        consumer_seconds = self.recorder.last_done[STAGE] - started
        return {
            "relay": PathResult(name=f"relay alone ({self.args.relays} thread(s))", events=count,
                                wall_seconds=round(relay_seconds, 3),
                                events_per_second=round(count / relay_seconds, 1)),
            "consumer": PathResult(name="consumer alone (1 thread)", events=count,
                                   wall_seconds=round(consumer_seconds, 3),
                                   events_per_second=round(count / consumer_seconds, 1)),
        }

    def unsent(self) -> int:
        with self.relay_engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar_one()

    def check(self) -> dict[str, int]:
        """Every committed event applied exactly once, nothing left behind."""
        time.sleep(0.3)  # let a stray redelivery (there should be none) show in the counts
        with self.consumer_engine.connect() as connection:
            row = connection.execute(text(
                "SELECT (SELECT count(*) FROM effects), (SELECT count(*) FROM inbox),"
                " (SELECT count(*) FROM outbox WHERE sent_at IS NULL),"
                " (SELECT count(*) FROM outbox WHERE unroutable)"
            )).one()
        counts = {"effects": row[0], "inbox": row[1], "unsent": row[2], "unroutable": row[3]}
        if counts["effects"] != self.committed or counts["inbox"] != self.committed or row[2] or row[3]:
            raise RuntimeError(f"the bus lost or duplicated events: {counts}, expected {self.committed}")
        return counts


def run_bus(args: argparse.Namespace, database_url: str, broker_url: str, topology: Topology, queue: str,
            payload: str) -> tuple[PathResult, PathResult | None, dict[str, PathResult]]:
    bench = BusBench(args, database_url, broker_url, topology, queue, payload)
    try:
        bench.consumer.declare()  # before any publish: the relay publishes with mandatory=True
        bench.start_consumer()
        bench.start_relays()
        bench.warm_up()
        saturated = bench.measure(THROUGHPUT, args.events)
        paced = bench.measure(PACED, args.paced_events, args.paced_rate) if args.paced_events else None
        stages = bench.stages(args.stage_events) if args.stages else {}
        saturated.details.update(bench.check(), events_per_transaction=args.per_transaction,
                                 producers=args.producers, relays=args.relays,
                                 relay_batch_size=args.relay_batch, consumer_prefetch=args.prefetch)
        return saturated, paced, stages
    finally:
        bench.close()


# --- raw pika baseline -------------------------------------------------------------------------


def run_raw(args: argparse.Namespace, broker_url: str, topology: Topology, queue: str, body_size: int) -> PathResult:
    setup = connect(broker_url, name="bench-raw-declare")
    try:
        topology.declare_queue(setup.channel(), queue, [RAW_ROUTING_KEY])
    finally:
        setup.close()

    recorder = Recorder()
    published_at: dict[str, float] = {}
    stop = threading.Event()
    ready = threading.Event()
    failure: list[BaseException] = []

    def on_message(channel: Any, method: Any, properties: pika.BasicProperties, _body: bytes) -> None:
        channel.basic_ack(method.delivery_tag)
        done_at = time.time()
        started_at = published_at.get(properties.message_id)
        if started_at is None:
            recorder.done(WARMUP, done_at, done_at)
        else:
            recorder.done(THROUGHPUT, done_at, started_at)

    def consume() -> None:
        try:
            connection = connect(broker_url, name="bench-raw-consumer")
            try:
                channel = connection.channel()
                channel.basic_qos(prefetch_count=args.prefetch)
                channel.basic_consume(queue, on_message, auto_ack=False)
                ready.set()
                while not stop.is_set():
                    connection.process_data_events(time_limit=0.2)
            finally:
                connection.close()
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)
            ready.set()

    consumer = threading.Thread(target=consume, name="bench-raw-consumer", daemon=True)
    consumer.start()
    publisher = connect(broker_url, name="bench-raw-publisher")
    try:
        ready.wait(30)
        if failure:
            raise failure[0]
        channel = publisher.channel()
        channel.confirm_delivery()

        def publish(message_id: str, body: bytes) -> None:
            channel.basic_publish(
                exchange=topology.exchange,
                routing_key=RAW_ROUTING_KEY,
                body=body,
                properties=pika.BasicProperties(content_type=CONTENT_TYPE, delivery_mode=pika.DeliveryMode.Persistent,
                                                message_id=message_id, app_id=SERVICE),
                mandatory=True,
            )

        body = b"x" * body_size  # the broker does not look inside
        log(f"raw: warming up with {args.warmup} messages")
        for _ in range(args.warmup):
            publish(str(uuid.uuid4()), body)
        recorder.wait(WARMUP, args.warmup, args.timeout)

        log(f"raw: {args.events} messages")
        ids = [str(uuid.uuid4()) for _ in range(args.events)]
        first = time.time()
        for message_id in ids:
            published_at[message_id] = time.time()
            publish(message_id, body)
        last_confirmed = time.time()
        recorder.wait(THROUGHPUT, args.events, args.timeout)
        if failure:
            raise failure[0]
        wall = recorder.last_done[THROUGHPUT] - first
        return PathResult(
            name="raw pika",
            events=args.events,
            wall_seconds=round(wall, 3),
            events_per_second=round(args.events / wall, 1),
            latency_ms=latency_summary(recorder.latencies[THROUGHPUT]),
            details={"consumer_prefetch": args.prefetch,
                     "publisher_events_per_second": round(args.events / (last_confirmed - first), 1)},
        )
    finally:
        stop.set()
        consumer.join(timeout=30)
        if publisher.is_open:
            publisher.close()


# --- report ------------------------------------------------------------------------------------


def verdicts(bus: PathResult, raw: PathResult) -> dict[str, Any]:
    ratio = bus.events_per_second / raw.events_per_second
    return {
        "ratio": round(ratio, 3),
        "targets": {
            "end_to_end_events_per_second": {
                "target": TARGET_EVENTS_PER_SECOND, "value": bus.events_per_second,
                "pass": bus.events_per_second >= TARGET_EVENTS_PER_SECOND,
            },
            "ratio_to_raw": {"target": TARGET_RATIO, "value": round(ratio, 3), "pass": ratio >= TARGET_RATIO},
        },
    }


def print_table(config: dict[str, Any], bus: PathResult, paced: PathResult | None, raw: PathResult,
                stages: dict[str, PathResult], verdict: dict[str, Any]) -> None:
    def row(cells: list[str]) -> str:
        return f"  {cells[0]:<34} {cells[1]:>9} {cells[2]:>9} {cells[3]:>9} {cells[4]:>9} {cells[5]:>8}"

    def ms(result: PathResult, key: str) -> str:
        return f"{result.latency_ms[key]:.1f}" if result.latency_ms else "-"

    details = bus.details
    print()
    print(f"Event bus benchmark: {config['events']:,} events per path, body {config['body_bytes']} B; "
          f"warm-up of {config['warmup']} per path first, not measured")
    print(f"  machine: {config['cpus']} CPUs, idle {config['cpu_idle_before']:.0%} just before the run; "
          f"Python {config['python']}, PostgreSQL {config['postgresql']}, RabbitMQ {config['rabbitmq']}")
    if config["cpu_idle_before"] < 0.8:
        print("  WARNING: the machine was busy before the run (other processes): figures are pessimistic")
    print(f"  Scellé: 1 producer process × {details['events_per_transaction']} events per transaction; "
          f"{details['relays']} relay thread(s), batch {details['relay_batch_size']}; 1 consumer thread, "
          f"prefetch {details['consumer_prefetch']}, deliveries that arrive together share one unit of work")
    print(f"  raw:    1 publisher (confirm_delivery, persistent, mandatory) → durable quorum queue → "
          f"1 consumer, manual ack, prefetch {raw.details['consumer_prefetch']}")
    print()
    print(row(["path", "events/s", "p50 ms", "p90 ms", "p99 ms", "wall s"]))
    for result in (bus, paced, raw):
        if result is not None:
            print(row([result.name, f"{result.events_per_second:,.0f}", ms(result, "p50"), ms(result, "p90"),
                       ms(result, "p99"), f"{result.wall_seconds:.2f}"]))
    for result in stages.values():
        print(row([result.name, f"{result.events_per_second:,.0f}", "-", "-", "-",
                   f"{result.wall_seconds:.2f}"]))
    print()
    print("  Scellé latency: effect COMMIT returned − committed_at (read before the producer's Outbox.add and COMMIT);")
    print("    saturated latencies include the backlog behind an unthrottled producer; paced ones do not.")
    print("  raw latency: after basic_ack in the consumer − before basic_publish.")
    print(f"  Scellé producer alone: {details['producer_events_per_second']:,.0f} events/s committed, "
          f"Outbox.add + COMMIT p50 {details['producer_add_commit_ms']['p50']:.1f} ms per transaction; "
          f"relay kept up to {details['relay_events_per_second']:,.0f} events/s")
    print(f"  raw publisher alone: {raw.details['publisher_events_per_second']:,.0f} messages/s confirmed")
    print()
    targets = verdict["targets"]
    e2e, ratio = targets["end_to_end_events_per_second"], targets["ratio_to_raw"]
    print(f"  ratio Scellé ÷ raw (events/s): {verdict['ratio']:.2f}")
    print(f"  target ≥ {TARGET_EVENTS_PER_SECOND:,.0f} events/s end to end: {e2e['value']:>7,.0f}   "
          f"{'PASS' if e2e['pass'] else 'FAIL'}")
    print(f"  target ≥ {TARGET_RATIO:.0%} of raw baseline:       {ratio['value']:>7.0%}   "
          f"{'PASS' if ratio['pass'] else 'FAIL'}")
    print()


# --- main --------------------------------------------------------------------------------------


def server_versions(admin: Engine, broker_url: str) -> tuple[str, str]:
    with admin.connect() as connection:
        postgresql = connection.execute(text("SHOW server_version")).scalar_one()
    connection = connect(broker_url, name="bench-version")
    try:
        rabbitmq = connection._impl.server_properties.get("version", "?")  # noqa: SLF001 - only way in pika
    finally:
        connection.close()
    return str(postgresql).split(" ")[0], str(rabbitmq)


def cleanup(admin: Engine, database: str | None, broker_url: str, topology: Topology, queues: list[str]) -> None:
    """Drop the database, the queues and the exchanges; report but survive each failure."""
    if database is not None:
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        except Exception as exc:  # noqa: BLE001 - cleanup reports and goes on
            log(f"could not drop database {database}: {exc}")
    try:
        connection = connect(broker_url, name="bench-cleanup")
        try:
            channel = connection.channel()
            for queue in queues:
                channel.queue_delete(queue)
                channel.queue_delete(Topology.dead_letter_queue(queue))
            channel.exchange_delete(topology.exchange)
            channel.exchange_delete(topology.dead_letter_exchange)
        finally:
            connection.close()
    except Exception as exc:  # noqa: BLE001
        log(f"could not delete queues and exchanges {topology.queue_prefix}*: {exc}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--events", type=int, default=6_000, help="measured events per path (saturated and raw)")
    parser.add_argument("--warmup", type=int, default=300, help="warm-up events per path (not measured)")
    parser.add_argument("--per-transaction", type=int, default=10, help="events per producer transaction")
    parser.add_argument("--producers", type=int, default=1, help="producer processes")
    parser.add_argument("--relays", type=int, default=1, help="relay threads")
    parser.add_argument("--relay-batch", type=int, default=200, help="relay batch size (library default)")
    parser.add_argument("--prefetch", type=int, default=32, help="consumer prefetch, bus and raw (library default)")
    parser.add_argument("--paced-events", type=int, default=1_500, help="events of the paced phase (0: skip it)")
    parser.add_argument("--paced-rate", type=float, default=250.0, help="events/s of the paced phase")
    parser.add_argument("--stages", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure the relay alone and the consumer alone")
    parser.add_argument("--stage-events", type=int, default=3_000, help="events of each --stages measurement")
    parser.add_argument("--payload-bytes", type=int, default=300, help="size of data.state in each event")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for any one phase")
    parser.add_argument("--log-level", default="WARNING",
                        help="the library's log level; logs go to stderr (DEBUG: one line per event)")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("SCELLE_TEST_POSTGRES_URL",
                                               "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
                        help="a server URL where databases may be created ($SCELLE_TEST_POSTGRES_URL)")
    parser.add_argument("--broker-url",
                        default=os.environ.get("SCELLE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
                        help="AMQP URL ($SCELLE_TEST_RABBITMQ_URL)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    positive = (args.events, args.warmup, args.per_transaction, args.producers, args.relays, args.relay_batch,
                args.prefetch, args.paced_rate, args.stage_events)
    if min(positive) <= 0 or args.paced_events < 0:
        parser.error("counts and rates must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the database, queues and exchanges are still removed.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    configure_logging(SERVICE, args.log_level)
    for handler in logging.getLogger().handlers:  # keep stdout for the report
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sys.stderr)

    token = uuid.uuid4().hex[:10]
    topology = Topology(exchange=f"bench.{token}.scelle.events", queue_prefix=f"bench.{token}.")
    bus_queue = topology.queue_name(SERVICE, "effects")
    raw_queue = topology.queue_name(SERVICE, "raw")
    database = f"bench_bus_{token}"
    payload = "x" * args.payload_bytes
    sample = new_event(service=SERVICE, name=EVENT_NAME, subject="thing-0", data=event_data(0, THROUGHPUT, payload))
    sample.data["committed_at"] = time.time()
    body_size = len(serialize_event(sample))

    idle = cpu_idle_fraction()
    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    created: str | None = None
    try:
        postgresql, rabbitmq = server_versions(admin, args.broker_url)
        log(f"creating database {database} and exchanges/queues {topology.queue_prefix}*")
        created = database
        database_url = create_database(admin, args.postgres_url, database)
        bus, paced, stages = run_bus(args, database_url, args.broker_url, topology, bus_queue, payload)
        raw = run_raw(args, args.broker_url, topology, raw_queue, body_size)
    finally:
        log("cleaning up")
        cleanup(admin, created, args.broker_url, topology, [bus_queue, raw_queue])
        admin.dispose()

    config = {
        "events": args.events, "warmup": args.warmup, "body_bytes": body_size, "cpus": os.cpu_count(),
        "cpu_idle_before": round(idle, 3), "python": platform.python_version(), "postgresql": postgresql,
        "rabbitmq": rabbitmq, "log_level": args.log_level.upper(),
    }
    verdict = verdicts(bus, raw)
    if args.json:
        results = {"config": config, "scelle": asdict(bus), "scelle_paced": asdict(paced) if paced else None,
                   "raw": asdict(raw), "stages": {name: asdict(result) for name, result in stages.items()},
                   **verdict}
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print_table(config, bus, paced, raw, stages, verdict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
