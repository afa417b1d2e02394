"""Billing suspends and reinstates accounts through the bus; a suspended holder may still pay."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from scelle_common.events import new_event, serialize_event
from scelle_common.messaging import connect
from scelle_identity.entrypoints.consumer import CONSUMERS

from .conftest import Gateway, audit_rows, outbox_events, problem, register, wait_until

ME = "/api/identity/v1/accounts/me"


@pytest.fixture
def consumer(bus_app, bus_namespace):
    runtime = bus_app.extensions["scelle_runtime"]
    bus_namespace.queue("identity", "account-status")
    running = runtime.consumer("account-status", CONSUMERS["account-status"])
    running.declare()
    stop = threading.Event()
    thread = threading.Thread(target=running.run, args=(stop,), daemon=True)
    thread.start()
    yield running
    stop.set()
    thread.join(timeout=30)


def publish(bus_namespace, event) -> None:
    connection = connect(bus_namespace.broker_url, name="test-billing")
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish(bus_namespace.topology.exchange, event.name, serialize_event(event), mandatory=True)
    finally:
        connection.close()


def billing_event(name: str, account_id: str, at: dt.datetime):
    return new_event(service="billing", name=name, subject=account_id, time=at,
                     data={"account_id": account_id, "invoice_id": "inv-1"})


def account_status(gateway: Gateway, cert) -> str | None:
    answer = gateway.authenticate(cert, uri=ME)
    return "active" if answer.status_code == 200 else problem(answer)["type"]


def test_a_suspended_account_is_refused_except_on_billing_then_reinstated(bus_app, consumer, bus_namespace, pki,
                                                                        database_url):
    gateway = Gateway(bus_app.test_client())
    cert = pki.issue("experts")
    account = register(gateway, cert)
    now = dt.datetime.now(dt.UTC)

    suspended = billing_event("billing.account_suspended.v1", account["id"], now)
    publish(bus_namespace, suspended)
    wait_until(lambda: account_status(gateway, cert) == "/problems/account-suspended")
    body = problem(gateway.authenticate(cert, uri=ME))
    assert "/api/billing/" in body["detail"]
    billing = gateway.authenticate(cert, "GET", "/api/billing/v1/invoices")
    assert billing.status_code == 200 and billing.headers["X-Accel-Expires"] == "0"
    assert gateway.authenticate(cert, "GET", "/api/billing/../expertise/v1/x").status_code == 403

    publish(bus_namespace, suspended)  # redelivered: no second effect
    publish(bus_namespace, billing_event("billing.account_reinstated.v1", account["id"], now + dt.timedelta(days=3)))
    wait_until(lambda: account_status(gateway, cert) == "active")

    updates = outbox_events(database_url, "identity.account_updated.v1", account["id"])
    assert [(e.data["status"], e.data["account_version"]) for e in updates] == [("suspended", 2), ("active", 3)]
    assert updates[0].causation_id == suspended.id
    assert len(audit_rows(database_url, "account.suspend", target=f"account:{account['id']}")) == 1


def test_a_stale_billing_event_does_not_undo_a_later_one(bus_app, consumer, bus_namespace, pki, database_url):
    gateway = Gateway(bus_app.test_client())
    cert = pki.issue("experts")
    account = register(gateway, cert)
    now = dt.datetime.now(dt.UTC)
    publish(bus_namespace, billing_event("billing.account_reinstated.v1", account["id"], now))
    publish(bus_namespace, billing_event("billing.account_suspended.v1", account["id"], now - dt.timedelta(hours=1)))
    wait_until(lambda: len(audit_rows(database_url, "account.suspend", target=f"account:{account['id']}")) == 1)
    assert audit_rows(database_url, "account.suspend", target=f"account:{account['id']}")[0].outcome == "stale"
    assert account_status(gateway, cert) == "active"


def test_a_billing_event_for_an_unknown_account_is_dead_lettered(bus_app, consumer):
    runtime = bus_app.extensions["scelle_runtime"]
    outcome = runtime.consumer("account-status", CONSUMERS["account-status"]).handle(
        serialize_event(billing_event("billing.account_suspended.v1", "no-such-account", dt.datetime.now(dt.UTC))))
    assert outcome.value == "dead_letter"
