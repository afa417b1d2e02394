"""Software certificates: issue → one-time PKCS#12 → login → renew → revoke → CRL."""

from __future__ import annotations

import uuid

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from .conftest import Cert, Gateway, mailed_link, outbox_events, problem, register

ME = "/api/identity/v1/accounts/me"
PACKAGES = "/api/identity/v1/software-certificate-packages/"
EXPERTISE = "6f1d8e2a-5b3c-4d7e-9f0a-1b2c3d4e5f60"


def issue_for_party(gateway, expert: Cert, email: str, headers=None):
    body = {"profile": "partie", "expertise_id": EXPERTISE, "given_name": "Jean", "surname": "Dupont",
            "email": email}
    return gateway.call(expert, "POST", "/api/identity/v1/software-certificates", json=body, headers=headers or {})


def retrieve(gateway, token: str, password: str = "mot de passe du titulaire"):
    return gateway.call(None, "POST", PACKAGES + token, json={"password": password})


def as_cert(p12: bytes, password: str = "mot de passe du titulaire") -> Cert:
    loaded = pkcs12.load_pkcs12(p12, password.encode())
    assert loaded.cert is not None and loaded.key is not None
    return Cert(loaded.cert.certificate, loaded.key, "scelle")


def test_a_software_certificate_is_retrieved_once_then_logs_in_until_revoked(gateway, pki, smtp_capture,
                                                                            database_url):
    expert = pki.issue("experts")
    register(gateway, expert)
    email = f"partie.{uuid.uuid4().hex[:6]}@exemple.test"
    issued = issue_for_party(gateway, expert, email)
    assert issued.status_code == 201
    body = issued.get_json()
    assert body["sent_to"] == email and body["certificate"]["family"] == "scelle"

    [mail] = [m for m in smtp_capture.messages() if email in m.recipients]
    assert list(mail.message.iter_attachments()) == []  # never the certificate itself
    token = mailed_link(smtp_capture, email, PACKAGES)
    assert gateway.call(None, "GET", PACKAGES + token).get_json()["state"] == "usable"

    first = retrieve(gateway, token)
    assert first.status_code == 200 and first.mimetype == "application/x-pkcs12"
    party = as_cert(first.data)
    assert party.fingerprint == body["certificate"]["fingerprint"]
    second = retrieve(gateway, token)
    assert (second.status_code, problem(second)["type"]) == (410, "/problems/link-used")

    pending = gateway.authenticate(party, uri=ME)
    assert problem(pending)["type"] == "/problems/cgu-acceptance-required"
    accepted = gateway.call(party, "POST", "/api/identity/v1/cgu/acceptances", json={"version": "v202004-01"})
    assert accepted.status_code == 200
    me = gateway.call(party, "GET", ME).get_json()
    assert (me["profile"], me["id"]) == ("partie", body["account_id"])

    [event] = outbox_events(database_url, "identity.software_certificate_issued.v1", body["account_id"])
    assert (event.data["expertise_id"], event.data["certificate_fingerprint"]) == (EXPERTISE, party.fingerprint)

    revoked = gateway.call(expert, "POST", f"/api/identity/v1/certificates/{party.fingerprint}/revocation",
                           json={"reason": "key_compromise"})
    assert revoked.status_code == 200
    refused = gateway.authenticate(party, uri=ME)
    assert (refused.status_code, problem(refused)["type"]) == (403, "/problems/certificate-revoked")
    crl = x509.load_der_x509_crl(gateway.call(None, "GET", "/api/identity/v1/crls/software-ca.crl").data)
    assert crl.get_revoked_certificate_by_serial_number(party.certificate.serial_number) is not None
    scelle_ca = x509.load_pem_x509_certificate(pki.ca_files("scelle")[0].encode())
    assert crl.is_signature_valid(scelle_ca.public_key())
    [gone] = outbox_events(database_url, "identity.certificate_revoked.v1", body["account_id"])
    assert (gone.data["reason"], gone.data["software"]) == ("key_compromise", True)


def test_a_retrieval_needs_a_password_of_ten_characters(gateway, pki, smtp_capture):
    expert = pki.issue("experts")
    register(gateway, expert)
    email = f"court.{uuid.uuid4().hex[:6]}@exemple.test"
    issue_for_party(gateway, expert, email)
    token = mailed_link(smtp_capture, email, PACKAGES)
    assert retrieve(gateway, token, "court").status_code == 422
    assert retrieve(gateway, token).status_code == 200


def test_the_same_idempotency_key_issues_one_certificate(gateway, pki, smtp_capture):
    expert = pki.issue("experts")
    register(gateway, expert)
    email = f"idem.{uuid.uuid4().hex[:6]}@exemple.test"
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = issue_for_party(gateway, expert, email, headers=key)
    second = issue_for_party(gateway, expert, email, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["certificate"]["fingerprint"] == second.get_json()["certificate"]["fingerprint"]
    assert len([m for m in smtp_capture.messages() if email in m.recipients]) == 1


def test_a_renewal_issues_a_new_certificate_for_the_same_holder_and_expertise(gateway, pki, smtp_capture,
                                                                            database_url):
    expert = pki.issue("experts")
    register(gateway, expert)
    email = f"renew.{uuid.uuid4().hex[:6]}@exemple.test"
    issued = issue_for_party(gateway, expert, email).get_json()
    old = issued["certificate"]["fingerprint"]
    renewed = gateway.call(expert, "POST", f"/api/identity/v1/software-certificates/{old}/renewal")
    assert renewed.status_code == 201
    new = renewed.get_json()["certificate"]["fingerprint"]
    assert new != old and renewed.get_json()["account_id"] == issued["account_id"]
    events = outbox_events(database_url, "identity.software_certificate_issued.v1", issued["account_id"])
    assert [(e.data["certificate_fingerprint"], e.data["renewal_of"], e.data["expertise_id"]) for e in events] == [
        (old, None, EXPERTISE), (new, old, EXPERTISE)]
    assert len([m for m in smtp_capture.messages() if email in m.recipients]) == 2


def test_only_experts_and_operators_have_software_certificates_issued(gateway, pki):
    magistrat = pki.issue("justice", "magistrat")
    register(gateway, magistrat, profile="magistrat", court_code=None, specialities=[], address=None,
             national_list=None)
    refused = issue_for_party(gateway, magistrat, "x@exemple.test")
    assert (refused.status_code, problem(refused)["type"]) == (403, "/problems/forbidden")


def test_a_party_certificate_is_issued_for_an_expertise(gateway, pki):
    expert = pki.issue("experts")
    register(gateway, expert)
    response = gateway.call(expert, "POST", "/api/identity/v1/software-certificates", json={
        "profile": "partie", "given_name": "Jean", "surname": "Dupont", "email": "sans.expertise@exemple.test"})
    assert [e["pointer"] for e in problem(response)["errors"]] == ["/expertise_id"]


def test_the_crl_is_served_as_pem_for_the_gateway_bundle(gateway):
    response = gateway.call(None, "GET", "/api/identity/v1/crls/software-ca.pem")
    assert response.status_code == 200
    assert x509.load_pem_x509_crl(response.data).next_update_utc is not None


def test_an_invitation_from_expertise_issues_the_certificate_once_and_mails_its_link(
        bus_app, bus_namespace, pki, smtp_capture, database_url):
    import threading

    from scelle_common.events import new_event, serialize_event
    from scelle_identity.entrypoints import consumer as consumers
    from scelle_identity.entrypoints.api.common import SERVICES_KEY

    from .test_suspension import publish

    runtime = bus_app.extensions["scelle_runtime"]
    consumers.use_services(bus_app.extensions[SERVICES_KEY])
    bus_namespace.queue("identity", "invitations")
    running = runtime.consumer("invitations", consumers.CONSUMERS["invitations"])
    running.declare()
    stop = threading.Event()
    thread = threading.Thread(target=running.run, args=(stop,), daemon=True)
    thread.start()
    try:
        email = f"invite.{uuid.uuid4().hex[:6]}@exemple.test"
        participant = str(uuid.uuid4())
        invitation = new_event(service="expertise", name="expertise.participant_invited.v1", subject=EXPERTISE,
                               data={"expertise_id": EXPERTISE, "expertise_version": 13, "participant_id": participant,
                                     "account_id": None, "email": email, "given_name": "Jean", "surname": "Martin",
                                     "role": "partie_lectrice", "profile": "partie", "phone_fixed": None,
                                     "phone_mobile": None, "invited_by": None, "invited_at": "2026-12-03T14:00:00Z"})
        publish(bus_namespace, invitation)
        publish(bus_namespace, invitation)  # redelivered: one certificate, one mail
        token = mailed_link(smtp_capture, email, PACKAGES)
        party = as_cert(retrieve(Gateway(bus_app.test_client()), token).data)
        issued = [e for e in outbox_events(database_url, "identity.software_certificate_issued.v1")
                  if e.data.get("participant_id") == participant]
        assert [(e.data["certificate_fingerprint"], e.data["expertise_id"], e.causation_id) for e in issued] == [
            (party.fingerprint, EXPERTISE, invitation.id)]
        assert len([m for m in smtp_capture.messages() if email in m.recipients]) == 1

        broken = new_event(service="expertise", name="expertise.participant_invited.v1", subject=EXPERTISE,
                           data={"expertise_id": EXPERTISE, "participant_id": "p", "profile": "partie",
                                 "account_id": None, "email": None})
        assert running.handle(serialize_event(broken)).value == "dead_letter"
    finally:
        stop.set()
        thread.join(timeout=30)
        consumers.use_services(None)

