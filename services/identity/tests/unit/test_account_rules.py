"""Registration, contact updates, merges and suspension (domain rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from scelle_identity.domain.accounts import (
    Account,
    Address,
    apply_suspension,
    check_merge,
    merged_status,
    update_contact,
)
from scelle_identity.domain.certificates import CertificateFacts
from scelle_identity.domain.errors import Conflict, InvalidRequest
from scelle_identity.domain.reference import Nomenclature, Speciality
from scelle_identity.domain.registration import RegistrationForm, validate_registration

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
NOMENCLATURE = Nomenclature("2005", "test", {
    code: Speciality(code, code, level) for code, level in
    [("E", "branche"), ("E.1", "rubrique"), ("E.1.3", "specialite")]})
ADDRESS = Address("1 place du Palais", "75001", "Paris", "France")


def facts(**names: str) -> CertificateFacts:
    return CertificateFacts("ab" * 32, "1f", "CN=x", "CN=ca", NOW, NOW, **names)


def account(**changes: object) -> Account:
    values = dict(id="a-1", profile="expert", status="active", given_name="Hélène", surname="Garnier",
                  email="h@exemple.test", version=1, created_at=NOW, address=ADDRESS)
    return Account(**(values | changes))  # type: ignore[arg-type]


def validate(form: RegistrationForm, family: str = "experts", **names: str):
    return validate_registration(form, facts(**names), family, current_cgu="v202004-01", courts={"paris"},
                                 nomenclature=NOMENCLATURE)


def expert_form(**changes: object) -> RegistrationForm:
    values = dict(email="h@exemple.test", cgu_version="v202004-01", court_code="paris", specialities=("E.1.3",),
                  address=ADDRESS)
    return RegistrationForm(**(values | changes))  # type: ignore[arg-type]


def test_an_expert_registration_takes_names_from_the_certificate_by_default():
    accepted = validate(expert_form(), given_name="Hélène", surname="Garnier")
    assert (accepted.profile, accepted.given_name, accepted.surname) == ("expert", "Hélène", "Garnier")


def test_the_profile_hint_of_the_certificate_chooses_among_the_family_profiles():
    form = RegistrationForm(email="g@exemple.test", cgu_version="v202004-01")
    assert validate(form, "justice", given_name="J", surname="M", profile_hint="greffier").profile == "greffier"
    with pytest.raises(InvalidRequest) as refused:
        validate(form, "justice", given_name="J", surname="M")
    assert list(refused.value.fields) == ["/profile"]


def test_a_rubrique_is_declarable_but_a_branche_is_not():
    assert validate(expert_form(specialities=("E.1",)), given_name="H", surname="G").specialities == ("E.1",)
    with pytest.raises(InvalidRequest) as refused:
        validate(expert_form(specialities=("E",)), given_name="H", surname="G")
    assert list(refused.value.fields) == ["/specialities/0"]


def test_only_experts_declare_courts_and_specialities():
    form = RegistrationForm(email="a@exemple.test", cgu_version="v202004-01", court_code="paris")
    with pytest.raises(InvalidRequest) as refused:
        validate(form, "avocats", given_name="S", surname="L")
    assert list(refused.value.fields) == ["/court_code"]


def test_contact_details_change_with_a_new_version_and_names_do_not():
    updated, changed = update_contact(account(), {"email": "n@exemple.test", "phone_mobile": None})
    assert (updated.email, updated.version, changed) == ("n@exemple.test", 2, ["email"])
    assert update_contact(account(), {"email": "h@exemple.test"}) == (account(), [])
    with pytest.raises(InvalidRequest):
        update_contact(account(), {"surname": "Autre"})
    with pytest.raises(InvalidRequest):
        update_contact(account(), {"address": Address(street="1 rue")})


def test_a_merge_needs_two_live_accounts_of_one_profile_and_keeps_a_suspension():
    primary, duplicate = account(), account(id="a-2", status="suspended")
    check_merge(primary, duplicate)
    assert merged_status(primary, duplicate) == "suspended"
    with pytest.raises(InvalidRequest):
        check_merge(primary, primary)
    with pytest.raises(Conflict):
        check_merge(primary, account(id="a-3", profile="avocat"))
    with pytest.raises(Conflict):
        check_merge(primary, account(id="a-4", status="merged", merged_into="a-9"))


def test_a_billing_status_older_than_the_last_change_is_stale():
    suspended = apply_suspension(account(), True, NOW)
    assert suspended is not None and (suspended.status, suspended.version) == ("suspended", 2)
    assert apply_suspension(suspended, False, NOW - dt.timedelta(seconds=1)) is None
    reinstated = apply_suspension(suspended, False, NOW + dt.timedelta(days=1))
    assert reinstated is not None and (reinstated.status, reinstated.version) == ("active", 3)
