"""Through the real broker: an event published twice on the bus still makes one mail, sent by the
running sender loop to the real SMTP server."""

from __future__ import annotations

import threading
import time

from scelle_common.events import serialize_event
from scelle_common.messaging import connect
from scelle_notification.bootstrap import build_runtime, build_services
from scelle_notification.entrypoints.consumer import build_consumers
from scelle_notification.service_layer.delivery import run_sender

from .conftest import billing_event, mailer_for, person


def test_an_event_published_twice_on_the_bus_is_mailed_once(settings, bus_namespace, smtp_capture, clock):  # noqa: ANN001
    topology = bus_namespace.topology
    runtime = build_runtime(settings.model_copy(update={
        "events_exchange": topology.exchange, "queue_prefix": topology.queue_prefix,
        "delivery_limit": topology.delivery_limit}))
    bus_namespace.queue("notification", "events")
    consumer = runtime.consumer("events", build_consumers()["events"])
    consumer.declare()
    services = build_services(runtime)  # the real clock: the consumer stamps rows with it too
    stop = threading.Event()
    threads = [threading.Thread(target=consumer.run, args=(stop,)),
               threading.Thread(target=run_sender, args=(services, mailer_for(smtp_capture.host, smtp_capture.port),
                                                         stop, 0.1))]
    expert = person("expert", "Hélène")
    invoice = billing_event("billing.invoice_issued.v1", expert, invoice_id="inv-1", invoice_number="2026-000007",
                            due_on="2026-07-03", total_ttc_cents=10200)
    connection = connect(runtime.settings.broker_url, name="test-publisher")
    try:
        for thread in threads:
            thread.start()
        channel = connection.channel()
        channel.basic_publish(topology.exchange, "identity.account_registered.v1", serialize_event(expert.registered()))
        for _ in range(2):  # the relay republished it: same id
            channel.basic_publish(topology.exchange, "billing.invoice_issued.v1", serialize_event(invoice))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not smtp_capture.messages():
            time.sleep(0.1)
        time.sleep(1.0)  # room for a second mail, were there one
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        connection.close()
        runtime.close()
    assert [(m.recipients, str(m.message["Subject"])) for m in smtp_capture.messages()] == [
        ([expert.email], "[Scellé] Facture n° 2026-000007")]
