"""identity's events leave through the outbox to the broker; its audit chain stays intact."""

from __future__ import annotations

from scelle_common.events import parse_event
from scelle_common.messaging import connect

from .conftest import Gateway, register, wait_until


def test_a_registration_reaches_the_broker_through_the_outbox(bus_app, bus_namespace, pki):
    runtime = bus_app.extensions["scelle_runtime"]
    queue = bus_namespace.queue("tests", "identity-events")
    connection = connect(bus_namespace.broker_url, name="test-listener")
    try:
        channel = connection.channel()
        runtime.topology.declare_queue(channel, queue, ["identity.account_registered.v1"])
        account = register(Gateway(bus_app.test_client()), pki.issue("experts"))
        relay = runtime.relay()
        try:
            relay.publish_batch()
        finally:
            relay.close()
        received = []

        def arrived() -> bool:
            method, _properties, body = channel.basic_get(queue, auto_ack=True)
            if method is not None:
                received.append(parse_event(body))
            return any(event.subject == account["id"] for event in received)

        wait_until(arrived)
        event = next(event for event in received if event.subject == account["id"])
        assert (event.type, event.source) == ("fr.scelle.identity.account_registered.v1", "/scelle/identity")
    finally:
        connection.close()


def test_the_audit_chain_is_intact_after_everything_the_tests_did(app, gateway, pki):
    register(gateway, pki.issue("experts"))
    runtime = app.extensions["scelle_runtime"]
    with runtime.session_factory() as session:
        result = runtime.audit.verify(session)
    assert result.intact and result.rows_checked > 0
