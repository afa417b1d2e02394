"""Cases A, B and C: one account, many certificates (REFERENCE §7)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace

from .conftest import Gateway, mailed_link, make_operator, outbox_events, problem, register

ME = "/api/identity/v1/accounts/me"
LINKS = "/api/identity/v1/association-links/"


def test_case_a_a_mailed_single_use_link_opened_with_the_new_certificate_binds_it(
        gateway, pki, smtp_capture, database_url):
    old = pki.issue("experts")
    account = register(gateway, old, email="case.a@experts-justice.test")
    sent = gateway.call(old, "POST", "/api/identity/v1/accounts/me/association-links")
    assert sent.status_code == 202 and sent.get_json()["sent_to"] == "case.a@experts-justice.test"

    token = mailed_link(smtp_capture, "case.a@experts-justice.test", "https://scelle.test:8443" + LINKS)
    [mail] = [m for m in smtp_capture.messages() if "case.a@experts-justice.test" in m.recipients]
    assert mail.message["Subject"] == "[Scellé] Associer un nouveau certificat à votre compte"
    assert token not in sent.get_data(as_text=True)  # the link only travels by mail

    new = pki.issue("experts")
    assert gateway.authenticate(new, uri=ME).status_code == 401
    info = gateway.call(new, "GET", LINKS + token)
    assert info.get_json()["state"] == "usable"
    redeemed = gateway.call(new, "POST", LINKS + token + "/redeem")
    assert redeemed.status_code == 200 and redeemed.get_json()["id"] == account["id"]

    assert gateway.call(new, "GET", ME).get_json()["id"] == account["id"]
    certificates = gateway.call(new, "GET", ME + "/certificates").get_json()["certificates"]
    assert {(c["fingerprint"], c["current"]) for c in certificates} == {
        (old.fingerprint, False), (new.fingerprint, True)}
    bound = outbox_events(database_url, "identity.certificate_bound.v1", account["id"])
    assert [(e.data["certificate_fingerprint"], e.data["bound_via"]) for e in bound][-1] == (
        new.fingerprint, "association_self")

    again = gateway.call(pki.issue("experts"), "POST", LINKS + token + "/redeem")
    assert (again.status_code, problem(again)["type"]) == (410, "/problems/link-used")


def test_an_association_link_expires_after_its_short_lifetime(gateway, pki, services, smtp_capture):
    services.policy = replace(services.policy, association_link_ttl=dt.timedelta(milliseconds=300))
    old = pki.issue("experts")
    register(gateway, old, email="expiring@experts-justice.test")
    gateway.call(old, "POST", "/api/identity/v1/accounts/me/association-links")
    token = mailed_link(smtp_capture, "expiring@experts-justice.test", LINKS)
    time.sleep(0.4)
    response = gateway.call(pki.issue("experts"), "POST", LINKS + token + "/redeem")
    assert (response.status_code, problem(response)["type"]) == (410, "/problems/link-expired")


def test_a_certificate_of_another_family_cannot_be_bound_to_the_account(gateway, pki, smtp_capture):
    old = pki.issue("experts")
    register(gateway, old, email="family@experts-justice.test")
    gateway.call(old, "POST", "/api/identity/v1/accounts/me/association-links")
    token = mailed_link(smtp_capture, "family@experts-justice.test", LINKS)
    response = gateway.call(pki.issue("avocats", "avocat"), "POST", LINKS + token + "/redeem")
    assert response.status_code == 422


def test_case_b_an_operator_has_the_link_mailed_to_a_holder_whose_certificate_died(
        gateway, pki, services, smtp_capture, database_url):
    dead = pki.issue("experts")
    account = register(gateway, dead, email="case.b@experts-justice.test")
    pki.revoke(dead)
    assert problem(gateway.authenticate(dead))["type"] == "/problems/certificate-revoked"
    operator = make_operator(services, pki)
    found = gateway.call(operator, "GET", f"/api/identity/v1/operator/accounts?serial={dead.serial_hex.upper()}")
    assert [a["id"] for a in found.get_json()["accounts"]] == [account["id"]]

    sent = gateway.call(operator, "POST", f"/api/identity/v1/operator/accounts/{account['id']}/association-links")
    assert sent.status_code == 202
    token = mailed_link(smtp_capture, "case.b@experts-justice.test", LINKS)
    new = pki.issue("experts")
    assert gateway.call(new, "POST", LINKS + token + "/redeem").status_code == 200
    assert gateway.call(new, "GET", ME).get_json()["id"] == account["id"]
    last = outbox_events(database_url, "identity.certificate_bound.v1", account["id"])[-1]
    assert last.data["bound_via"] == "association_operator"


def test_only_an_operator_issues_links_for_someone_else(gateway, pki):
    expert = pki.issue("experts")
    other = register(gateway, pki.issue("experts"))
    register(gateway, expert)
    response = gateway.call(expert, "POST", f"/api/identity/v1/operator/accounts/{other['id']}/association-links")
    assert response.status_code == 403


def test_case_c_an_operator_merges_a_duplicate_account_and_publishes_it(gateway, pki, services, database_url):
    primary_cert, duplicate_cert = pki.issue("experts"), pki.issue("experts")
    primary = register(gateway, primary_cert, email="primary@experts-justice.test")
    duplicate = register(gateway, duplicate_cert, email="duplicate@experts-justice.test")
    operator = make_operator(services, pki)

    merged = gateway.call(operator, "POST", "/api/identity/v1/operator/merges", json={
        "primary_account_id": primary["id"], "duplicate_account_id": duplicate["id"],
        "reason": "doublon créé avec la nouvelle carte (n° de série communiqué par courriel)"})
    assert merged.status_code == 200
    body = merged.get_json()
    assert (body["primary"]["id"], body["merged"]["status"], body["moved_certificates"]) == (
        primary["id"], "merged", [duplicate_cert.fingerprint])

    [event] = outbox_events(database_url, "identity.accounts_merged.v1", primary["id"])
    assert (event.data["merged_account_id"], event.data["moved_certificates"], event.data["account_version"]) == (
        duplicate["id"], [duplicate_cert.fingerprint], 2)
    assert gateway.call(duplicate_cert, "GET", ME).get_json()["id"] == primary["id"]

    again = gateway.call(operator, "POST", "/api/identity/v1/operator/merges", json={
        "primary_account_id": primary["id"], "duplicate_account_id": duplicate["id"], "reason": "encore"})
    assert again.status_code == 409


def test_accounts_of_different_profiles_are_never_merged(gateway, pki, services):
    expert = register(gateway, pki.issue("experts"))
    lawyer = register(gateway, pki.issue("avocats", "avocat"), court_code=None, specialities=[], address=None,
                      national_list=None)
    operator = make_operator(services, pki)
    response = Gateway(gateway.client).call(operator, "POST", "/api/identity/v1/operator/merges", json={
        "primary_account_id": expert["id"], "duplicate_account_id": lawyer["id"], "reason": "erreur"})
    assert response.status_code == 409
