"""Every cell of the rights matrix, walked through the HTTP API (DESIGN.md §6.5).

For every row of ``rights-matrix.csv`` and every status, the participant of that role lists,
downloads and deposits in the folder of that row and scope; each succeeds exactly when the cell
says so, otherwise 403 (404 for a non-member). ``shared`` cells are tried on a document the owner
expert shared with the participant and on one he did not. The expected values are read here from
the CSV itself, not from the code under test.

One world is built once for the module: four expertises (one per status) with a participant of
every role, two parties (the participants' own and another) and two sapiteurs, and two documents
in every folder.
"""

from __future__ import annotations

import csv
from typing import Any

import pytest

from scelle_documents.domain.rights import DEFAULT_MATRIX, Access, Membership, RightsMatrix

from .conftest import Case

STATUSES = ("en_creation", "en_cours", "en_pause", "terminee")
with DEFAULT_MATRIX.open(encoding="utf-8", newline="") as _handle:
    ROWS = [row for row in csv.DictReader(_handle)]
PARTY_ROLES = ("avocat", "partie_publiante", "expert_de_partie", "partie_lectrice")
ROLES = ("co_expert", *PARTY_ROLES, "greffier", "magistrat", "sapiteur")
ALL_KINDS = sorted({row["folder"] for row in ROWS})


def _build(app: Any, signer: Any, status: str) -> dict[str, Any]:
    case = Case(app, signer).create()
    case.add_party("own")
    case.add_party("other")
    for role in ROLES:
        case.add_participant(role, role, parties=["own"] if role in PARTY_ROLES else [])
    case.add_participant("sapiteur_other", "sapiteur")
    case.add_participant("avocat_other", "avocat", parties=["other"])
    case.add_participant("inactive", "avocat", parties=["own"], active=False)
    case.set_status("en_cours")
    folders = case.folders()
    matrix = RightsMatrix.load()
    documents: dict[str, dict[str, str]] = {}
    for path, folder in folders.items():
        owner = None if "*" not in folder["kind"] else path.split("/")[1]
        depositor = next(label for label in ("expert", *ROLES, "sapiteur_other", "avocat_other")
                         if matrix.decide([_membership(case, label)], _ref(folder["kind"], owner), "en_cours").access
                         is Access.DEPOSIT)
        member = case.members[depositor]
        ids = {}
        for name in ("partagé.txt", "non-partagé.txt"):
            response = member.deposit(folder["id"], name, f"{path}/{name}".encode())
            assert response.status_code == 201, (path, depositor, response.get_json())
            ids[name] = response.get_json()["id"]
        for label, participant_id in case.participants.items():
            if label != "expert":
                shared = case.members["expert"].put(f"/v1/documents/{ids['partagé.txt']}/shares/{participant_id}")
                assert shared.status_code == 200, shared.get_json()
        documents[path] = ids
    if status != "en_cours":
        case.set_status(status)
    return {"case": case, "folders": folders, "documents": documents}


def _membership(case: Case, label: str) -> Membership:
    role = {"sapiteur_other": "sapiteur", "avocat_other": "avocat"}.get(label, label)
    parties = {"avocat_other": ["other"]}.get(label, ["own"] if role in PARTY_ROLES else [])
    return Membership(case.participants[label], role, True, frozenset(case.parties[p] for p in parties))


def _ref(kind: str, owner: str | None) -> Any:
    from scelle_documents.domain.rights import FolderRef

    return FolderRef(kind, owner)


@pytest.fixture(scope="module")
def world(app, principal_signer) -> dict[str, dict[str, Any]]:  # noqa: ANN001
    return {status: _build(app, principal_signer, status) for status in STATUSES}


def _paths(case: Case, kind: str, scope: str, role: str) -> list[str]:
    """The concrete folders a row applies to, seen from the participant of ``role``."""
    if "*" not in kind:
        return [kind]
    if kind.startswith("parties/"):
        own, other = case.parties["own"], case.parties["other"]
    else:
        own, other = case.participants["sapiteur"], case.participants["sapiteur_other"]
        if role != "sapiteur":  # a non-sapiteur has no sapiteur folder of its own
            own = other
    chosen = {"own": [own], "other": [other], "any": [own, other]}[scope]
    return [kind.replace("*", owner) for owner in dict.fromkeys(chosen)]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['role']}:{row['folder']}:{row['scope']}")
def test_each_cell_allows_exactly_what_the_matrix_says(world, row, status):
    built = world[status]
    case: Case = built["case"]
    role, cell = row["role"], row[status]
    member = case.members[role]
    for path in _paths(case, row["folder"], row["scope"], role):
        folder = built["folders"][path]
        shared_doc, unshared_doc = built["documents"][path]["partagé.txt"], built["documents"][path]["non-partagé.txt"]
        listing = member.get(f"/v1/folders/{folder['id']}/documents")
        shared = member.get(f"/v1/documents/{shared_doc}/content")
        unshared = member.get(f"/v1/documents/{unshared_doc}/content")
        deposit = member.deposit(folder["id"], "dépôt.txt", b"contenu")
        context = (role, path, status, cell)
        assert listing.status_code == (403 if cell == "none" else 200), context
        assert shared.status_code == (403 if cell == "none" else 200), context
        assert unshared.status_code == (200 if cell in ("read", "deposit") else 403), context
        assert deposit.status_code == (201 if cell == "deposit" else 403), context
        if cell == "shared":
            listed = {item["id"] for item in listing.get_json()["items"]}
            assert shared_doc in listed and unshared_doc not in listed, context
        for refused in (listing, shared, unshared, deposit):
            if refused.status_code == 403:
                body = refused.get_json(force=True)
                assert body["type"] == "/problems/forbidden" and body["rule"] in ("folder", "status", "role", "share")


@pytest.mark.parametrize("role", ROLES)
def test_folders_absent_from_a_roles_rows_are_denied_in_every_status(world, role):
    rows = {row["folder"] for row in ROWS if row["role"] == role}
    for status in STATUSES:
        case: Case = world[status]["case"]
        for kind in ALL_KINDS:
            if kind in rows:
                continue
            for path in _paths(case, kind, "any", role):
                folder = world[status]["folders"][path]
                response = case.members[role].get(f"/v1/folders/{folder['id']}/documents")
                assert response.status_code == 403, (role, path, status)
                assert response.get_json(force=True)["rule"] == "folder"


def test_an_inactive_participant_gets_nothing(world):
    built = world["en_cours"]
    case: Case = built["case"]
    inactive = case.members["inactive"]
    listed = inactive.get(f"/v1/expertises/{case.id}/folders")
    assert listed.status_code == 200 and listed.get_json()["folders"] == []
    for path, folder in built["folders"].items():
        assert inactive.get(f"/v1/folders/{folder['id']}/documents").status_code == 403, path
        document = built["documents"][path]["partagé.txt"]
        response = inactive.get(f"/v1/documents/{document}/content")
        assert response.status_code == 403 and response.get_json(force=True)["rule"] == "inactive"
    assert inactive.deposit(built["folders"]["expert/correspondance"]["id"], "x.txt", b"x").status_code == 403


def test_a_non_member_gets_404_everywhere(world):
    built = world["en_cours"]
    case: Case = built["case"]
    stranger = case.caller(profile="avocat")
    assert stranger.get(f"/v1/expertises/{case.id}/folders").status_code == 404
    for path, folder in built["folders"].items():
        assert stranger.get(f"/v1/folders/{folder['id']}/documents").status_code == 404, path
        assert stranger.get(f"/v1/documents/{built['documents'][path]['partagé.txt']}/content").status_code == 404
        assert stranger.deposit(folder["id"], "x.txt", b"x").status_code == 404


def test_the_owner_expert_sees_every_folder_of_the_tree(world):
    folders = world["en_cours"]["folders"]
    assert len(folders) == 12 + 4 * 2 + 3 * 2
