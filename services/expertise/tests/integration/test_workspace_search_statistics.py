"""The caller's workspace, search and statistics: ordering, filters, pagination, scope."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from scelle_common.events import new_event, serialize_event
from scelle_expertise.bootstrap import build_runtime
from scelle_expertise.entrypoints.consumer import CONSUMERS

from .conftest import create_expertise, problem


@pytest.fixture
def deposit(settings):  # noqa: ANN001
    runtime = build_runtime(settings)
    queue = runtime.consumer("documents", CONSUMERS["documents"])

    def make(expertise_id: str, *audience: str) -> None:
        doc = str(uuid.uuid4())
        queue.handle(serialize_event(new_event(
            service="documents", name="documents.document_deposited.v1", subject=doc,
            data={"expertise_id": expertise_id, "document_id": doc, "folder": "expert/correspondance",
                  "audience": list(audience)})))

    yield make
    runtime.close()


def start(expert, expertise_id, *targets):
    for target in targets:
        response = expert.post(f"/v1/expertises/{expertise_id}/status-changes",
                               json={"to": target, "confirmed": True})
        assert response.status_code == 201


def names(response):
    return [item["display_name"].split("_")[0] for item in response.get_json()["items"]]


def test_unread_expertises_come_first_alphabetically_then_the_chosen_order(caller, deposit):
    expert = caller("expert")
    ids = {name: create_expertise(expert, first_applicant=name)["id"] for name in ("Delta", "Alpha", "Charlie",
                                                                                    "Bravo")}
    expert.patch(f"/v1/expertises/{ids['Alpha']}", json={"consignation_date": "2024-05-01"})
    expert.patch(f"/v1/expertises/{ids['Delta']}", json={"consignation_date": "2024-01-01"})
    deposit(ids["Charlie"], expert.account_id)
    deposit(ids["Bravo"], expert.account_id)
    deposit(ids["Bravo"], expert.account_id)
    listed = expert.get("/v1/expertises")
    assert names(listed) == ["BRAVO", "CHARLIE", "ALPHA", "DELTA"]
    assert [i["unread_count"] for i in listed.get_json()["items"]] == [2, 1, 0, 0]
    by_date = expert.get("/v1/expertises", query_string={"sort": "consignation_date"})
    assert names(by_date) == ["BRAVO", "CHARLIE", "DELTA", "ALPHA"]
    by_date_desc = expert.get("/v1/expertises", query_string={"sort": "consignation_date", "order": "desc"})
    assert names(by_date_desc) == ["BRAVO", "CHARLIE", "ALPHA", "DELTA"]


def test_the_workspace_hides_finished_cases_unless_asked_and_sorts_by_status(caller):
    expert = caller("expert")
    a = create_expertise(expert, first_applicant="Alpha")["id"]
    b = create_expertise(expert, first_applicant="Bravo")["id"]
    c = create_expertise(expert, first_applicant="Charlie")["id"]
    start(expert, a, "en_cours", "terminee")
    start(expert, b, "en_cours")
    assert names(expert.get("/v1/expertises")) == ["BRAVO", "CHARLIE"]
    everything = expert.get("/v1/expertises", query_string=[("status", s) for s in
                                                             ("en_creation", "en_cours", "en_pause", "terminee")])
    assert names(everything) == ["ALPHA", "BRAVO", "CHARLIE"]
    assert names(expert.get("/v1/expertises", query_string={"status": "terminee"})) == ["ALPHA"]
    by_status = expert.get("/v1/expertises", query_string=[("sort", "status"), ("status", "en_creation"),
                                                            ("status", "en_cours"), ("status", "terminee")])
    assert names(by_status) == ["CHARLIE", "BRAVO", "ALPHA"]
    assert c


def test_the_workspace_filters_by_the_callers_role(caller):
    owner, colleague = caller("expert"), caller("expert")
    mine = create_expertise(colleague, first_applicant="Propre")["id"]
    theirs = create_expertise(owner, first_applicant="Autre")["id"]
    owner.post(f"/v1/expertises/{theirs}/participants", json={"account_id": colleague.account_id,
                                                              "role": "co_expert"})
    assert names(colleague.get("/v1/expertises", query_string={"role": "co_expert"})) == ["AUTRE"]
    assert names(colleague.get("/v1/expertises", query_string={"role": "expert"})) == ["PROPRE"]
    assert mine


def test_workspace_pages_follow_the_cursor_without_gaps_or_repeats(caller, deposit):
    expert = caller("expert")
    created = [create_expertise(expert, first_applicant=f"Nom{index:02d}")["id"] for index in range(7)]
    deposit(created[5], expert.account_id)
    seen, cursor = [], None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = expert.get("/v1/expertises", query_string=query).get_json()
        seen += [item["display_name"].split("_")[0] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["NOM05", "NOM00", "NOM01", "NOM02", "NOM03", "NOM04", "NOM06"]
    too_big = expert.get("/v1/expertises", query_string={"limit": 201})
    assert too_big.status_code == 422
    assert problem(expert.get("/v1/expertises", query_string={"cursor": "not-a-cursor"}))["status"] == 422


def test_search_finds_words_without_accents_numbers_and_party_names_only_in_visible_cases(caller):
    expert, stranger = caller("expert"), caller("expert")
    found = create_expertise(expert, first_applicant="Société Générale", jurisdiction="Tribunal judiciaire d'Évry",
                             rg_number="22/03700", mi_number="MI-4242")
    expert.patch(f"/v1/expertises/{found['id']}", json={"portalis_number": "DBYK-W-B7C-B45M"})
    expert.post(f"/v1/expertises/{found['id']}/parties", json={"name": "Copropriété Les Érables",
                                                               "kind": "defendeur", "representation": "avocat"})
    create_expertise(expert, first_applicant="Autre", rg_number="19/11111")
    create_expertise(stranger, first_applicant="Société Générale", rg_number="22/03700")
    for query in ("societe generale", "Générales", "évry", "22/037", "03700", "mi-4242", "B7C-B45", "erables",
                  "copropriete"):
        response = expert.get("/v1/search/expertises", query_string={"q": query})
        assert response.status_code == 200
        assert [item["id"] for item in response.get_json()["items"]] == [found["id"]], query
    assert expert.get("/v1/search/expertises", query_string={"q": "x"}).status_code == 422


def test_participant_search_finds_names_and_emails_of_visible_cases_only(caller):
    expert, stranger = caller("expert"), caller("expert")
    created = create_expertise(expert)
    party = expert.post(f"/v1/expertises/{created['id']}/parties", json={
        "name": "M. Lefèvre", "kind": "defendeur", "representation": "elle_meme"}).get_json()
    expert.post(f"/v1/expertises/{created['id']}/invitations", json={
        "role": "partie_publiante", "email": "helene.lefevre@exemple.test", "given_name": "Hélène",
        "surname": "Lefèvre", "party_ids": [party["id"]]})
    hits = expert.get("/v1/search/participants", query_string={"q": "helene"}).get_json()["items"]
    assert [(h["display_name"], h["role"]) for h in hits] == [("Hélène LEFÈVRE", "partie_publiante")]
    assert expert.get("/v1/search/participants", query_string={"q": "lefevre@exem"}).get_json()["items"]
    assert stranger.get("/v1/search/participants", query_string={"q": "helene"}).get_json()["items"] == []


def test_statistics_export_one_row_per_visible_case_with_dates_and_durations(caller, clock, deposit):
    expert, magistrat = caller("expert"), caller("magistrat")
    created = create_expertise(expert, first_applicant="=HYPERLINK(1)", designation_date="01-03-2024")
    path = f"/v1/expertises/{created['id']}"
    expert.post(f"{path}/participants", json={"account_id": magistrat.account_id, "role": "magistrat",
                                              "given_name": "François", "surname": "Dupont"})
    expert.post(f"{path}/parties", json={"name": "A", "kind": "demandeur", "representation": "avocat"})
    expert.post(f"{path}/parties", json={"name": "B", "kind": "defendeur", "representation": "avocat"})
    expert.patch(path, json={"consignation_date": "2024-04-02"})
    deposit(created["id"], magistrat.account_id)
    create_expertise(caller("expert"))  # someone else's case: not exported
    start(expert, created["id"], "en_cours")
    clock.advance(days=10)
    start(expert, created["id"], "terminee")
    response = magistrat.get("/v1/statistics/expertises.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, lines = rows[0], rows[1:]
    assert len(lines) == 1
    row = dict(zip(header, lines[0], strict=True))
    assert row["Nom"].startswith("'=HYPERLINK(1)_")  # neutralised for spreadsheets
    assert row["Magistrat en charge"] == "François DUPONT" and row["Statut"] == "Terminée"
    assert row["Date de désignation"] == "2024-03-01" and row["Date de consignation"] == "2024-04-02"
    assert row["Jours en cours → terminée"] == "10" and row["Parties"] == "2" and row["Documents"] == "1"
    summary = magistrat.get("/v1/statistics/summary").get_json()
    assert summary["total"] == 1 and summary["by_status"]["terminee"] == 1
    assert summary["median_days_en_cours_to_terminee"] == 10
