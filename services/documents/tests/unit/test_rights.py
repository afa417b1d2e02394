"""The rights matrix as data: loading, validation, decisions (no I/O beyond reading the CSV)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scelle_documents.domain.rights import (
    DEFAULT_MATRIX,
    Access,
    FolderRef,
    MatrixError,
    Membership,
    Operation,
    RightsMatrix,
)

SHARED_COPY = Path(__file__).resolve().parents[5] / "shared" / "domain" / "rights-matrix.csv"
HEADER = "role,folder,scope,en_creation,en_cours,en_pause,terminee"
MATRIX = RightsMatrix.load()


def avocat(party: str = "p1", active: bool = True) -> Membership:
    return Membership("avocat-1", "avocat", active, frozenset({party}))


@pytest.mark.skipif(not SHARED_COPY.exists(), reason="shared/ is not checked out beside the repository")
def test_the_services_copy_is_the_shared_matrix():
    assert DEFAULT_MATRIX.read_text(encoding="utf-8") == SHARED_COPY.read_text(encoding="utf-8")


def test_every_line_of_the_shipped_matrix_loads():
    assert len(MATRIX.rows()) == 132


def test_an_avocat_deposits_in_its_own_partys_folder_and_only_reads_the_others():
    own, other = FolderRef("parties/*/pieces-cotees", "p1"), FolderRef("parties/*/pieces-cotees", "p2")
    assert MATRIX.decide([avocat()], own, "en_cours").access is Access.DEPOSIT
    assert MATRIX.decide([avocat()], other, "en_cours").access is Access.READ
    assert MATRIX.decide([avocat()], FolderRef("parties/*/confidentiel-accepte", "p2"), "en_cours").access \
        is Access.NONE


def test_absent_folders_are_denied_and_say_so():
    decision = MATRIX.decide([avocat()], FolderRef("magistrat/magistrat-vers-expert"), "en_cours")
    assert decision.access is Access.NONE and decision.denial[0] == "folder"


def test_a_status_that_closes_a_folder_is_named_as_the_reason():
    decision = MATRIX.decide([avocat()], FolderRef("expert/correspondance"), "en_pause")
    assert decision.access is Access.NONE and decision.denial[0] == "status"


def test_inactive_participants_get_nothing():
    decision = MATRIX.decide([avocat(active=False)], FolderRef("expert/correspondance"), "en_cours")
    assert decision.access is Access.NONE and decision.denial[0] == "inactive"


def test_a_shared_cell_opens_only_documents_shared_with_that_participant():
    magistrat = Membership("mag-1", "magistrat", True)
    decision = MATRIX.decide([magistrat], FolderRef("parties/*/dires-et-annexes", "p1"), "en_cours")
    assert decision.access is Access.SHARED
    assert decision.allows(Operation.LIST)
    assert not decision.allows(Operation.DOWNLOAD, shared_with={"someone-else"})
    assert decision.allows(Operation.DOWNLOAD, shared_with={"mag-1"})
    assert not decision.allows(Operation.DEPOSIT)


def test_the_best_of_several_participations_wins():
    lectrice = Membership("l-1", "partie_lectrice", True, frozenset({"p1"}))
    folder = FolderRef("parties/*/pieces-cotees", "p1")
    assert MATRIX.decide([lectrice, avocat()], folder, "en_cours").access is Access.DEPOSIT


def test_a_deposit_refused_for_a_readable_folder_names_the_role_or_the_status():
    assert MATRIX.explain([avocat()], FolderRef("expert/correspondance"), "en_cours", Operation.DEPOSIT)[0] == "role"
    expert = Membership("e-1", "expert", True)
    assert MATRIX.explain([expert], FolderRef("expert/correspondance"), "terminee", Operation.DEPOSIT)[0] == "status"


@pytest.mark.parametrize("line, message", [
    ("avocat,expert/nowhere,any,read,read,read,read", "unknown folder"),
    ("juge,expert/correspondance,any,read,read,read,read", "unknown role"),
    ("avocat,expert/correspondance,own,read,read,read,read", "scope"),
    ("avocat,expert/correspondance,any,read,write,read,read", "values"),
    ("avocat,expert/correspondance,any,read,read,read", "columns"),
])
def test_a_malformed_matrix_is_refused_at_start_with_its_line(line, message):
    with pytest.raises(MatrixError, match=message):
        RightsMatrix.parse([HEADER, line])


def test_a_duplicate_or_mixed_scope_cell_is_refused():
    line = "avocat,parties/*/bordereaux,any,read,read,read,read"
    with pytest.raises(MatrixError, match="duplicate"):
        RightsMatrix.parse([HEADER, line, line])
    with pytest.raises(MatrixError, match="mixes"):
        RightsMatrix.parse([HEADER, line, "avocat,parties/*/bordereaux,own,read,read,read,read"])
