"""A consumer process whose handler announces itself, then hangs or takes a second.

Usage: slow_consumer.py DATABASE_URL BROKER_URL EXCHANGE QUEUE_PREFIX STARTED_FILE hang|slow
"""

import sys
import time
from pathlib import Path

from sqlalchemy import text

from scelle_common.db import UnitOfWork, make_engine, make_session_factory
from scelle_common.messaging import Consumer, EventHandlers, Topology
from scelle_common.runtime import stop_on_signals

database_url, broker_url, exchange, prefix, started, mode = sys.argv[1:7]
handlers = EventHandlers()


@handlers.on("test.thing_happened.v1")
def handle(uow, event):  # noqa: ANN001
    Path(started).touch()
    time.sleep(3600 if mode == "hang" else 1.0)
    uow.session.execute(text("INSERT INTO effects (event_id, note) VALUES (:id, :note)"),
                        {"id": event.id, "note": event.data["note"]})


session_factory = make_session_factory(make_engine(database_url))
topology = Topology(exchange=exchange, queue_prefix=prefix, delivery_limit=3)
Consumer(
    broker_url=broker_url,
    topology=topology,
    queue=topology.queue_name("tests", "effects"),
    handlers=handlers,
    unit_of_work=lambda: UnitOfWork(session_factory),
).run(stop_on_signals())
