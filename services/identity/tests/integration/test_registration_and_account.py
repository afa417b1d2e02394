"""Registration rules, the CGU versions and their forced re-acceptance, the holder's own account."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import Gateway, outbox_events, problem, register, registration_form

ME = "/api/identity/v1/accounts/me"


def test_registration_publishes_the_account_and_its_first_certificate(gateway, pki, database_url):
    cert = pki.issue("experts")
    account = register(gateway, cert, specialities=["E.1.3", "G.2.5"], national_list=True)
    [registered] = outbox_events(database_url, "identity.account_registered.v1", account["id"])
    assert registered.data["specialities"] == ["E.1.3", "G.2.5"] and registered.data["national_list"] is True
    assert registered.data["registered_via"] == "registration" and registered.data["account_version"] == 1
    [bound] = outbox_events(database_url, "identity.certificate_bound.v1", account["id"])
    assert (bound.data["certificate_fingerprint"], bound.data["family"]) == (cert.fingerprint, "experts")


def test_an_expert_must_give_a_known_court_declarable_specialities_and_an_address(gateway, pki):
    cert = pki.issue("experts")
    response = gateway.call(cert, "POST", "/api/identity/v1/registrations", json=registration_form(
        cert, court_code="cavaillon", specialities=["E", "Z.9.9"], address={"street": "1 rue"}))
    body = problem(response)
    assert response.status_code == 422
    pointers = {error["pointer"] for error in body["errors"]}
    assert pointers == {"/court_code", "/specialities/0", "/specialities/1", "/address"}


def test_a_certificate_family_decides_which_profiles_may_register(gateway, pki):
    cert = pki.issue("avocats", "avocat")
    response = gateway.call(cert, "POST", "/api/identity/v1/registrations",
                            json=registration_form(cert, profile="expert"))
    assert response.status_code == 422
    assert [e["pointer"] for e in problem(response)["errors"]] == ["/profile"]


def test_a_lawyer_keeps_the_names_of_the_certificate(gateway, pki):
    cert = pki.issue("avocats", "avocat", given_name="Sophie", surname="Lambert")
    form = registration_form(cert, surname="Autre", court_code=None, specialities=[], address=None,
                             national_list=None)
    refused = gateway.call(cert, "POST", "/api/identity/v1/registrations", json=form)
    assert [e["pointer"] for e in problem(refused)["errors"]] == ["/surname"]
    form.pop("surname")
    accepted = gateway.call(cert, "POST", "/api/identity/v1/registrations", json=form)
    assert (accepted.status_code, accepted.get_json()["surname"]) == (201, "Lambert")


def test_registration_requires_accepting_the_cgu_version_in_force(gateway, pki):
    cert = pki.issue("experts")
    response = gateway.call(cert, "POST", "/api/identity/v1/registrations",
                            json=registration_form(cert, cgu_version="v201901-01"))
    assert [e["pointer"] for e in problem(response)["errors"]] == ["/cgu_version"]


def test_a_certificate_registers_once(gateway, pki):
    cert = pki.issue("experts")
    register(gateway, cert)
    again = gateway.call(cert, "POST", "/api/identity/v1/registrations", json=registration_form(cert))
    assert (again.status_code, problem(again)["type"]) == (409, "/problems/conflict")


def test_a_new_cgu_version_must_be_accepted_at_next_login_except_on_the_cgu_routes(own_database, pki):
    from scelle_identity.entrypoints.api.common import SERVICES_KEY
    from scelle_identity.service_layer.accounts import publish_cgu
    from scelle_identity.service_layer.context import SYSTEM

    gateway = Gateway(own_database.test_client())
    cert = pki.issue("experts")
    register(gateway, cert)
    publish_cgu(own_database.extensions[SERVICES_KEY], SYSTEM, "v209901-01", "CGU révisées", "Nouveau texte.", None)

    refused = gateway.authenticate(cert, uri=ME)
    body = problem(refused)
    assert (refused.status_code, body["type"], body["cgu_version"]) == (
        403, "/problems/cgu-acceptance-required", "v209901-01")
    assert gateway.authenticate(cert, uri="/api/billing/v1/invoices").status_code == 403
    current = gateway.call(cert, "GET", "/api/identity/v1/cgu/current")
    assert current.get_json()["version"] == "v209901-01"
    assert gateway.authenticate(cert, "GET", "/api/identity/v1/cgu/current").headers["X-Accel-Expires"] == "0"
    stale = gateway.call(cert, "POST", "/api/identity/v1/cgu/acceptances", json={"version": "v202004-01"})
    assert stale.status_code == 422
    accepted = gateway.call(cert, "POST", "/api/identity/v1/cgu/acceptances", json={"version": "v209901-01"})
    assert accepted.status_code == 200 and accepted.get_json()["cgu_version"] == "v209901-01"
    assert gateway.authenticate(cert, uri=ME).status_code == 200


def test_an_operator_cannot_publish_a_cgu_version_that_takes_effect_in_the_past(own_database):
    from scelle_identity.domain.errors import InvalidRequest
    from scelle_identity.entrypoints.api.common import SERVICES_KEY
    from scelle_identity.service_layer.accounts import publish_cgu
    from scelle_identity.service_layer.context import SYSTEM

    with pytest.raises(InvalidRequest):
        publish_cgu(own_database.extensions[SERVICES_KEY], SYSTEM, "v209902-01", "CGU", "Texte.",
                    dt.datetime(2021, 1, 1, tzinfo=dt.UTC))


def test_the_holder_reads_and_updates_contact_details_but_not_names(gateway, pki, database_url):
    cert = pki.issue("experts")
    account = register(gateway, cert)
    changed = gateway.call(cert, "PATCH", ME, json={"email": "nouvelle@exemple.test", "phone_fixed": "01 23 45 67 89"})
    assert changed.status_code == 200
    assert (changed.get_json()["email"], changed.get_json()["version"]) == ("nouvelle@exemple.test", 2)
    [updated] = outbox_events(database_url, "identity.account_updated.v1", account["id"])
    assert sorted(updated.data["changed"]) == ["email", "phone_fixed"]
    refused = gateway.call(cert, "PATCH", ME, json={"surname": "Autre"})
    assert refused.status_code == 422
    assert gateway.call(cert, "GET", ME).get_json()["surname"] == account["surname"]


def test_the_holder_lists_own_certificates_and_sees_which_one_is_in_use(gateway, pki):
    cert = pki.issue("experts")
    register(gateway, cert)
    listed = gateway.call(cert, "GET", "/api/identity/v1/accounts/me/certificates").get_json()["certificates"]
    assert [(c["fingerprint"], c["status"], c["current"], c["bound_via"]) for c in listed] == [
        (cert.fingerprint, "valid", True, "registration")]


def test_courts_and_specialities_are_served_for_the_registration_form(gateway, pki):
    cert = pki.issue("experts")
    courts = gateway.call(cert, "GET", "/api/identity/v1/courts").get_json()["courts"]
    assert len(courts) == 36 and {"code": "nimes", "name": "Nîmes"} in courts
    specialities = gateway.call(cert, "GET", "/api/identity/v1/specialities").get_json()
    assert specialities["nomenclature"] == "2005-extrait"
    assert {"code": "G.2.5", "label": "Documents informatiques", "level": "specialite"} in specialities["specialities"]
