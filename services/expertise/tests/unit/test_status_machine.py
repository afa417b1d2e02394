"""The status machine: every legal and every illegal transition, confirmation and reasons."""

from __future__ import annotations

import itertools

import pytest

from scelle_expertise.domain import status
from scelle_expertise.domain.errors import ConfirmationRequired, IllegalTransition, InvalidRequest

LEGAL = {
    ("en_creation", "en_cours"), ("en_cours", "en_pause"), ("en_pause", "en_cours"), ("en_cours", "terminee"),
    ("en_pause", "terminee"), ("terminee", "en_cours"),
}
ALL_PAIRS = list(itertools.product(status.STATUSES, repeat=2))


@pytest.mark.parametrize("current, target", sorted(LEGAL))
def test_a_legal_transition_is_accepted_when_confirmed(current, target):
    assert status.check_transition(current, target, confirmed=True, reason="motif") == "motif"


@pytest.mark.parametrize("current, target", sorted(set(ALL_PAIRS) - LEGAL))
def test_an_illegal_transition_is_refused_naming_the_allowed_targets(current, target):
    with pytest.raises(IllegalTransition) as refused:
        status.check_transition(current, target, confirmed=True, reason="motif")
    assert refused.value.allowed == [t for c, t in sorted(LEGAL, key=lambda p: status.STATUSES.index(p[1]))
                                     if c == current]
    assert refused.value.slug == "illegal-status-transition"


@pytest.mark.parametrize("current, target", sorted(LEGAL))
def test_every_transition_needs_an_explicit_confirmation(current, target):
    with pytest.raises(ConfirmationRequired):
        status.check_transition(current, target, confirmed=False, reason="motif")


def test_reopening_a_finished_expertise_needs_a_reason():
    with pytest.raises(InvalidRequest) as refused:
        status.check_transition("terminee", "en_cours", confirmed=True, reason="  ")
    assert "/reason" in refused.value.fields
    assert status.is_reopening("terminee", "en_cours")


def test_other_transitions_take_an_optional_reason():
    assert status.check_transition("en_creation", "en_cours", confirmed=True, reason=None) is None


def test_finished_cases_leave_the_default_lists():
    assert set(status.DEFAULT_LISTED) == set(status.STATUSES) - {"terminee"}
