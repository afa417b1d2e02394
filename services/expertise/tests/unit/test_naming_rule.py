"""The naming rule (DESIGN §6.3): fields, limits, dates and the display name."""

from __future__ import annotations

from datetime import date

import pytest

from scelle_expertise.domain.errors import InvalidRequest
from scelle_expertise.domain.naming import Naming, fold, parse_designation_date


def make(**overrides: object) -> Naming:
    values: dict[str, object] = {
        "first_applicant": "Poitou", "first_defender": "Hartmann", "jurisdiction": "CA33-CG456",
        "rg_number": "DFG-456-789", "expert_name": "Lemoine", "designation_date": date(2024, 3, 14),
    }
    return Naming(**(values | overrides))  # type: ignore[arg-type]


def test_the_display_name_joins_the_fields_in_the_rules_order():
    naming = make(mi_number="Mi12", record_number="D-881")
    assert naming.display_name == "POITOU_HARTMANN_CA33-CG456_DFG-456-789_LEMOINE_MI12_D-881_14-03-2024"


def test_empty_optional_fields_are_left_out():
    assert make(mi_number="", record_number="  ").display_name == \
        "POITOU_HARTMANN_CA33-CG456_DFG-456-789_LEMOINE_14-03-2024"


def test_the_reference_client_example_is_reproduced():
    naming = Naming(first_applicant="Ayoub", first_defender="Sadiki", jurisdiction="123", rg_number="1",
                    expert_name="Boulore", mi_number="10", designation_date=date(2024, 9, 22))
    assert naming.display_name == "AYOUB_SADIKI_123_1_BOULORE_10_22-09-2024"


def test_diacritics_and_ligatures_are_removed_and_case_raised():
    naming = make(first_applicant="Société Générale d'Écully", first_defender="Cœur-Lévêque",
                  jurisdiction="TJ  d’Évry")
    assert naming.display_name.startswith("SOCIETE GENERALE D'ECULLY_COEUR-LEVEQUE_TJ D’EVRY_")
    assert fold("çàéèêëîïôöùûüÿæ") == "CAEEEEIIOOUUUYAE"


@pytest.mark.parametrize("text, expected", [
    ("14-03-2024", date(2024, 3, 14)), ("14/03/2024", date(2024, 3, 14)), ("14.03.2024", date(2024, 3, 14)),
    ("14 03 2024", date(2024, 3, 14)), ("29-02-2024", date(2024, 2, 29)), ("2024-03-14", date(2024, 3, 14)),
])
def test_designation_dates_are_read_with_any_usual_separator(text, expected):
    assert parse_designation_date(text) == expected


@pytest.mark.parametrize("text", ["29-02-2023", "31-04-2024", "00-01-2024", "12-13-2024", "1-3-2024", "14-03-24",
                                  "hier", ""])
def test_impossible_or_malformed_dates_are_refused(text):
    with pytest.raises(InvalidRequest) as refused:
        parse_designation_date(text)
    assert "/designation_date" in refused.value.fields


def test_required_fields_and_limits_are_checked():
    with pytest.raises(InvalidRequest) as missing:
        make(first_applicant=" ", rg_number=None)
    assert set(missing.value.fields) == {"/first_applicant", "/rg_number"}
    with pytest.raises(InvalidRequest) as long_mi:
        make(mi_number="M" * 13)
    assert set(long_mi.value.fields) == {"/mi_number"}
    with pytest.raises(InvalidRequest):
        make(jurisdiction="J" * 129)
    assert make(mi_number="M" * 12, jurisdiction="J" * 128).mi_number == "M" * 12
