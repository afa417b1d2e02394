"""The expert directory: accent- and case-insensitive name prefixes, courts, specialities, pages."""

from __future__ import annotations

import uuid

import pytest

from .conftest import problem, register

SEARCH = "/api/identity/v1/directory/experts"


@pytest.fixture
def experts(gateway, pki):
    """Three experts whose surnames start with a token unique to this test, and a reader."""
    token = "zq" + uuid.uuid4().hex[:6]
    people = {
        "helene": ("Hélène", f"{token}Garnier", "paris", ["E.1.3"]),
        "heloise": ("Héloïse", f"{token}Garnière", "lyon", ["E.1.5", "G.2.5"]),
        "marc": ("Marc", f"{token}Lefèbvre", "versailles", ["C.1.26"]),
    }
    ids = {}
    for key, (given, surname, court, specialities) in people.items():
        cert = pki.issue("experts", given_name=given, surname=surname)
        ids[key] = register(gateway, cert, court_code=court, specialities=specialities)["id"]
    lawyer = pki.issue("avocats", "avocat", surname=f"{token}Garnier")
    register(gateway, lawyer, court_code=None, specialities=[], address=None, national_list=None)
    reader = pki.issue("justice", "magistrat")
    register(gateway, reader, profile="magistrat", court_code=None, specialities=[], address=None,
             national_list=None)
    return token, ids, reader


def found(gateway, reader, query: str) -> list[str]:
    response = gateway.call(reader, "GET", f"{SEARCH}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [expert["account_id"] for expert in response.get_json()["experts"]]


def test_names_are_found_by_prefix_whatever_the_accents_and_case(gateway, experts):
    token, ids, reader = experts
    assert found(gateway, reader, f"surname={token.upper()}GARN") == [ids["helene"], ids["heloise"]]
    assert found(gateway, reader, f"surname={token}lefeb") == [ids["marc"]]
    assert found(gateway, reader, f"surname={token}&given_name=HELO") == [ids["heloise"]]
    assert found(gateway, reader, f"surname={token}&given_name=hél") == [ids["helene"], ids["heloise"]]


def test_courts_are_multi_valued(gateway, experts):
    token, ids, reader = experts
    assert found(gateway, reader, f"surname={token}&court=paris&court=lyon") == [ids["helene"], ids["heloise"]]
    assert found(gateway, reader, f"surname={token}&court=versailles") == [ids["marc"]]


def test_a_rubrique_matches_its_specialities_and_specialities_are_multi_valued(gateway, experts):
    token, ids, reader = experts
    assert found(gateway, reader, f"surname={token}&speciality=E.1") == [ids["helene"], ids["heloise"]]
    assert found(gateway, reader, f"surname={token}&speciality=G.2.5&speciality=C.1.26") == [
        ids["heloise"], ids["marc"]]
    assert found(gateway, reader, f"surname={token}&speciality=E&court=lyon") == [ids["heloise"]]


def test_results_come_in_pages_with_an_opaque_cursor(gateway, experts):
    token, ids, reader = experts
    seen, cursor = [], None
    for _ in range(4):
        query = f"surname={token}&limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = gateway.call(reader, "GET", f"{SEARCH}?{query}").get_json()
        seen += [expert["account_id"] for expert in page["experts"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [ids["helene"], ids["heloise"], ids["marc"]] and cursor is None


def test_a_result_shows_what_a_designating_judge_needs(gateway, experts):
    token, ids, reader = experts
    [card] = gateway.call(reader, "GET", f"{SEARCH}?surname={token}lefeb").get_json()["experts"]
    assert (card["account_id"], card["given_name"], card["court_code"], card["specialities"]) == (
        ids["marc"], "Marc", "versailles", ["C.1.26"])
    assert card["national_list"] is False
    assert card["email"] and card["phone_mobile"]


@pytest.mark.parametrize("query", ["limit=201", "speciality=Z.9", "court=cavaillon", "cursor=%%%"])
def test_invalid_criteria_are_a_422_problem(gateway, experts, query):
    reader = experts[2]
    response = gateway.call(reader, "GET", f"{SEARCH}?{query}")
    assert (response.status_code, problem(response)["type"]) == (422, "/problems/validation-failed")
