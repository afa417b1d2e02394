"""Certificate expiry care: identity.certificate_expiring at 60, 30 and 7 days, once each."""

from __future__ import annotations

import datetime as dt

from scelle_identity.service_layer.expiry import publish_expiry_notices

from .conftest import outbox_events, register


def notices_for(services, fingerprint: str, at: dt.datetime) -> list[int]:
    return [n.threshold_days for n in publish_expiry_notices(services, at) if n.fingerprint == fingerprint]


def test_a_bound_certificate_is_announced_at_60_30_and_7_days_and_never_twice(gateway, pki, services,
                                                                            database_url):
    cert = pki.issue("experts", days=50)
    account = register(gateway, cert)
    now = dt.datetime.now(dt.UTC)
    assert notices_for(services, cert.fingerprint, now) == [60]
    assert notices_for(services, cert.fingerprint, now) == []
    assert notices_for(services, cert.fingerprint, now + dt.timedelta(days=15)) == []
    assert notices_for(services, cert.fingerprint, now + dt.timedelta(days=25)) == [30]
    assert notices_for(services, cert.fingerprint, now + dt.timedelta(days=44)) == [7]
    assert notices_for(services, cert.fingerprint, now + dt.timedelta(days=45)) == []
    events = outbox_events(database_url, "identity.certificate_expiring.v1", account["id"])
    assert [(e.data["threshold_days"], e.data["certificate_fingerprint"]) for e in events] == [
        (60, cert.fingerprint), (30, cert.fingerprint), (7, cert.fingerprint)]
    assert events[1].data["days_left"] in (24, 25)  # 25 days later, by calendar day


def test_a_certificate_first_seen_inside_a_threshold_gets_only_that_threshold(gateway, pki, services):
    cert = pki.issue("experts", days=20)
    register(gateway, cert)
    now = dt.datetime.now(dt.UTC)
    assert notices_for(services, cert.fingerprint, now) == [30]
    assert notices_for(services, cert.fingerprint, now + dt.timedelta(days=5)) == []


def test_revoked_unbound_and_distant_certificates_are_not_announced(gateway, pki, services):
    revoked = pki.issue("experts", days=20)
    register(gateway, revoked)
    with services.unit_of_work() as uow:
        uow.certificates.revoke(revoked.fingerprint, dt.datetime.now(dt.UTC), "superseded")
        uow.commit()
    unbound = pki.issue("experts", days=20)
    gateway.authenticate(unbound)  # seen by the gateway, never registered
    distant = pki.issue("experts", days=365)
    register(gateway, distant)
    sent = {n.fingerprint for n in publish_expiry_notices(services, dt.datetime.now(dt.UTC))}
    assert not sent & {revoked.fingerprint, unbound.fingerprint, distant.fingerprint}
