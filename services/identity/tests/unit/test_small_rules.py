"""Tokens, links, expiry thresholds, software certificates, CGU versions, directory keys and cursors."""

from __future__ import annotations

import datetime as dt

import pytest

from scelle_identity.adapters.sealing import seal, token_hash, unseal
from scelle_identity.domain.cgu import CguVersion, check_new_version, in_force
from scelle_identity.domain.directory import Cursor, like_prefix, page_size, search_key
from scelle_identity.domain.errors import Conflict, InvalidRequest, LinkUnusable, NotAllowed
from scelle_identity.domain.expiry import due_threshold
from scelle_identity.domain.links import OneTimeLink, expiry, require_usable
from scelle_identity.domain.software_certificates import check_issue, may_manage
from scelle_identity.domain.tokens import lifetime_seconds, principal_claims

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def test_tokens_never_live_more_than_five_minutes_and_registrants_two():
    assert lifetime_seconds("expert", 900) == 300
    assert lifetime_seconds("expert", 60) == 60
    assert lifetime_seconds("registrant", 300) == 120
    with pytest.raises(ValueError):
        principal_claims(subject="a", profile="expert", fingerprint=None, serial=None, client_ip=None,
                         issued_at=0, lifetime=301, token_id="j")


def test_claims_leave_out_what_is_unknown():
    claims = principal_claims(subject="a", profile="expert", fingerprint="f", serial=None, client_ip="1.2.3.4",
                              issued_at=10, lifetime=300, token_id="j")
    assert claims == {"iss": "scelle-identity", "sub": "a", "prf": "expert", "cfp": "f", "ip": "1.2.3.4",
                      "iat": 10, "exp": 310, "jti": "j"}


def test_a_link_works_once_before_it_expires_unless_withdrawn():
    link = OneTimeLink(expires_at=NOW + dt.timedelta(minutes=30))
    require_usable(link, NOW)
    for spent, state in [(OneTimeLink(NOW, used_at=NOW), "used"), (OneTimeLink(NOW), "expired"),
                         (OneTimeLink(NOW + dt.timedelta(days=1), withdrawn_at=NOW), "withdrawn")]:
        with pytest.raises(LinkUnusable) as refused:
            require_usable(spent, NOW)
        assert refused.value.state == state
    assert expiry(NOW, dt.timedelta(days=9), dt.timedelta(hours=24)) == NOW + dt.timedelta(hours=24)


@pytest.mark.parametrize(("days_left", "sent", "due"), [
    (90, set(), None), (60, set(), 60), (45, {60}, None), (30, {60}, 30), (20, set(), 30),
    (7, {60, 30}, 7), (3, {7}, None), (0, {60, 30}, 7), (-1, set(), None),
])
def test_expiry_notices_follow_the_60_30_7_thresholds(days_left, sent, due):
    assert due_threshold(days_left, sent) == due


def test_who_may_issue_which_software_certificate():
    check_issue("expert", "partie", "exp-1")
    check_issue("operateur", "operateur", None)
    with pytest.raises(NotAllowed):
        check_issue("expert", "operateur", None)
    with pytest.raises(NotAllowed):
        check_issue("avocat", "partie", "exp-1")
    with pytest.raises(InvalidRequest):
        check_issue("expert", "sapiteur_externe", None)
    with pytest.raises(InvalidRequest):
        check_issue("operateur", "operateur", "exp-1")
    assert may_manage("e-1", "expert", "p-1", "e-1") and may_manage("p-1", "partie", "p-1", "e-1")
    assert not may_manage("e-2", "expert", "p-1", "e-1")


def test_the_cgu_in_force_is_the_latest_that_took_effect_and_new_ones_never_go_back():
    old = CguVersion("v202004-01", "t", "b", NOW - dt.timedelta(days=900), NOW)
    next_one = CguVersion("v202701-01", "t", "b", NOW + dt.timedelta(days=30), NOW)
    assert in_force([old, next_one], NOW) == old
    assert in_force([old, next_one], NOW + dt.timedelta(days=31)) == next_one
    with pytest.raises(Conflict):
        check_new_version([old], old, NOW)
    with pytest.raises(InvalidRequest):
        check_new_version([old], CguVersion("2027", "t", "b", NOW, NOW), NOW)
    with pytest.raises(InvalidRequest):
        check_new_version([old, next_one], CguVersion("v202612-01", "t", "b", NOW + dt.timedelta(days=1), NOW), NOW)


@pytest.mark.parametrize(("name", "key"), [
    ("Hélène", "helene"), ("LEFÈBVRE", "lefebvre"), ("Œdipe", "oedipe"),
    ("D'Aubigné-Saint  Just", "d aubigne saint just"),
])
def test_search_keys_ignore_accents_case_and_punctuation(name, key):
    assert search_key(name) == key


def test_like_prefixes_escape_wildcards():
    assert like_prefix("a_b%") == "a\\_b\\%%"


def test_cursors_round_trip_and_refuse_forgeries():
    cursor = Cursor("garnier", "helene", "a-1")
    assert Cursor.decode(cursor.encode()) == cursor
    for forged in ["!!!", "bm90IGpzb24", "WzFd"]:
        with pytest.raises(ValueError):
            Cursor.decode(forged)
    assert page_size(None) == 50
    with pytest.raises(ValueError):
        page_size(201)


def test_a_sealed_key_opens_only_with_its_link_and_certificate():
    sealed = seal("secret-link", "fp-1", b"private key")
    assert unseal("secret-link", "fp-1", sealed) == b"private key"
    for token, context in [("other-link", "fp-1"), ("secret-link", "fp-2")]:
        with pytest.raises(ValueError):
            unseal(token, context, sealed)
    assert token_hash("secret-link") != token_hash("other-link")
