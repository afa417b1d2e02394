"""A consumer process that announces it is handling a message, then hangs (to be killed)."""

import sys
import threading
import time
from pathlib import Path

from scelle_common.db import UnitOfWork, make_engine, make_session_factory
from scelle_common.messaging import Consumer, EventHandlers, Topology

database_url, broker_url, exchange, prefix, started = sys.argv[1:6]
handlers = EventHandlers()


@handlers.on("test.thing_happened.v1")
def hang(uow, event):  # noqa: ANN001
    Path(started).touch()
    time.sleep(3600)


session_factory = make_session_factory(make_engine(database_url))
topology = Topology(exchange=exchange, queue_prefix=prefix, delivery_limit=3)
Consumer(
    broker_url=broker_url,
    topology=topology,
    queue=topology.queue_name("tests", "effects"),
    handlers=handlers,
    unit_of_work=lambda: UnitOfWork(session_factory),
).run(threading.Event())
