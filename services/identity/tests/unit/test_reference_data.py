"""The reference data shipped with the service, and the rules that validate it."""

from __future__ import annotations

import pytest

from scelle_identity.adapters.reference_files import load_reference_data
from scelle_identity.domain.reference import (
    ReferenceDataError,
    court_code_for_unit,
    courts_from_rows,
    nomenclature_from_rows,
)


def test_the_shipped_files_hold_36_courts_the_2005_extract_and_the_first_cgu():
    data = load_reference_data()
    assert len(data.courts) == 36
    assert {court.code: court.name for court in data.courts}["saint-denis"] == "Saint-Denis (La Réunion)"
    [nomenclature] = data.nomenclatures
    assert data.current_nomenclature == nomenclature.version == "2005-extrait"
    assert nomenclature.covered_by("E.1") == ["E.1", "E.1.1", "E.1.2", "E.1.3", "E.1.4", "E.1.5"]
    assert [v.version for v in data.cgu_versions] == ["v202004-01"]


def test_a_specialities_file_that_breaks_the_tree_is_refused():
    with pytest.raises(ReferenceDataError, match="does not look like"):
        nomenclature_from_rows("x", "x", [{"code": "A.1", "label": "A", "level": "specialite"}])
    with pytest.raises(ReferenceDataError, match="branche A is missing"):
        nomenclature_from_rows("x", "x", [{"code": "A.1", "label": "A", "level": "rubrique"}])
    with pytest.raises(ReferenceDataError, match="twice"):
        courts_from_rows([{"code": "paris", "name": "Paris"}, {"code": "paris", "name": "Paris"}])


def test_a_certificate_unit_names_its_court():
    courts = load_reference_data().courts
    assert court_code_for_unit(courts, "Cour d'appel de Versailles") == "versailles"
    assert court_code_for_unit(courts, "Cour d'appel de Nîmes") == "nimes"
    assert court_code_for_unit(courts, "Barreau de Paris") == "paris"  # a unit naming the city
    assert court_code_for_unit(courts, "Exploitation") is None
