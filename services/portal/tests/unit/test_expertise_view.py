"""The expertise page's own logic, without any service: the folder tree built from the vault's
labels, its counts, folders found by their stable id, amounts in euros."""

from __future__ import annotations

from typing import Any

from scelle_portal.expertise_view import euros, find_folder, folder_tree


def folder(path: str, label: str, documents: int = 0, unread: int = 0) -> dict[str, Any]:
    return {"id": f"id-{path}", "path": path, "label": label, "document_count": documents, "unread_count": unread}


FOLDERS = [
    folder("expert/designation", "Expert / Désignation", 1, 1),
    folder("magistrat/expert-vers-magistrat", "Magistrat / Expert → Magistrat"),
    folder("magistrat/magistrat-vers-expert", "Magistrat / Magistrat → Expert", 3, 2),
    folder("parties/p1/bordereaux", "Parties / Dupont / Bordereaux", 2, 0),
    folder("parties/p1/pieces-cotees", "Parties / Dupont / Pièces cotées", 1, 1),
    folder("parties/p2/bordereaux", "Parties / Martin / Bordereaux"),
    folder("parties/p1/pieces-cotees/expertise-2", "Parties / Dupont / Pièces cotées / Expertise 2", 4, 4),
]


def test_the_tree_nests_folders_by_their_labels_in_the_vaults_order() -> None:
    tree = folder_tree(FOLDERS)
    assert [node.label for node in tree] == ["Expert", "Magistrat", "Parties"]
    magistrat = tree[1]
    assert magistrat.folder is None
    assert [(n.label, n.folder["path"]) for n in magistrat.children] == [  # type: ignore[index]
        ("Expert → Magistrat", "magistrat/expert-vers-magistrat"),
        ("Magistrat → Expert", "magistrat/magistrat-vers-expert")]
    dupont, martin = tree[2].children
    assert (dupont.label, martin.label) == ("Dupont", "Martin")
    pieces = dupont.children[1]
    assert pieces.folder["path"] == "parties/p1/pieces-cotees"  # type: ignore[index]
    assert [n.label for n in pieces.children] == ["Expertise 2"]  # a sub-folder under its parent


def test_a_group_counts_the_documents_and_new_ones_of_everything_under_it() -> None:
    expert, magistrat, parties = folder_tree(FOLDERS)
    assert (expert.document_count, expert.unread_count) == (1, 1)
    assert (magistrat.document_count, magistrat.unread_count) == (3, 2)
    assert (parties.document_count, parties.unread_count) == (7, 5)
    pieces = parties.children[0].children[1]
    assert (pieces.document_count, pieces.unread_count) == (5, 5)  # its own and its sub-folder's


def test_a_folder_is_found_by_its_stable_id_or_the_vaults_id_and_nothing_else() -> None:
    assert find_folder(FOLDERS, "magistrat/magistrat-vers-expert")["label"] == "Magistrat / Magistrat → Expert"  # type: ignore[index]
    assert find_folder(FOLDERS, "id-expert/designation")["path"] == "expert/designation"  # type: ignore[index]
    assert find_folder(FOLDERS, "magistrat") is None
    assert find_folder(FOLDERS, None) is None


def test_amounts_are_written_the_french_way() -> None:
    assert euros(8500) == "85,00\u00a0€"
    assert euros(123456789) == "1\u202f234\u202f567,89\u00a0€"
    assert euros(5) == "0,05\u00a0€"
    assert euros(-4000) == "-40,00\u00a0€"
    assert euros(None) == "—"
