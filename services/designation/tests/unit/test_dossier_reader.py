"""Which vault folders belong to a designation dossier (the tolerant reader of the vault's events)."""

from __future__ import annotations

from scelle_designation.service_layer.inbound import dossier_place


def test_request_and_response_folders_are_recognised_with_or_without_sub_folders():
    assert dossier_place({"folder": {"path": "designation/d-1/demande"}}) == ("d-1", "demande")
    assert dossier_place({"folder": {"path": "designation/d-1/reponse/annexes"}}) == ("d-1", "reponse")
    assert dossier_place({"folder": "designation/d-1/demande"}) == ("d-1", "demande")


def test_expertise_folders_and_unknown_parts_are_not_dossiers():
    assert dossier_place({"folder": {"path": "expert/designation"}}) is None
    assert dossier_place({"folder": {"path": "designation/d-1/brouillons"}}) is None
    assert dossier_place({"folder": None}) is None
    assert dossier_place({}) is None
