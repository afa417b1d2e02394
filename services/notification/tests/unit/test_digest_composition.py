"""What one person's digest says: grouped by expertise, status changes first, then folders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scelle_notification.domain.digest import Deposit, Reader, StatusChange, compose

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def deposit(expertise: str, folder: str, name: str, minutes: int, role: str = "expert", by: str = "expert-1") -> Deposit:
    return Deposit(expertise, expertise.upper(), T0 + timedelta(minutes=minutes), folder, folder.title(), name,
                   f"doc-{name}", by, "Jean DURAND", role)


def test_nobody_gets_an_empty_digest():
    assert compose(Reader("r", "R", "expert"), [], T0, T0 + timedelta(days=1)) is None


def test_sections_follow_expertise_name_status_changes_first_then_folders_and_times():
    items = [deposit("b", "expert/correspondance", "2.pdf", 30), deposit("b", "expert/correspondance", "1.pdf", 10),
             deposit("b", "greffe/rapport-definitif", "rapport.pdf", 5),
             StatusChange("b", "B", T0 + timedelta(minutes=50), "en_creation", "en_cours"),
             deposit("a", "expert/notes-aux-parties", "note.pdf", 1)]
    digest = compose(Reader("r", "R", "expert"), items, T0, T0 + timedelta(days=1))
    assert digest is not None
    assert [s.name for s in digest.expertises] == ["A", "B"]
    b = digest.expertises[1]
    assert [c.to_status for c in b.status_changes] == ["en_cours"]
    assert [f.path for f in b.folders] == ["expert/correspondance", "greffe/rapport-definitif"]
    assert [d.file_name for d in b.folders[0].deposits] == ["1.pdf", "2.pdf"]
    assert digest.line_count == 5


def test_a_lawyer_who_opted_out_no_longer_hears_of_the_parties_deposits_but_still_of_his_own():
    items = [deposit("a", "parties/p1/dires-et-annexes", "dire.pdf", 1, role="avocat", by="other-lawyer"),
             deposit("a", "parties/p2/dires-et-annexes", "mon dire.pdf", 2, role="avocat", by="me"),
             deposit("a", "expert/notes-aux-parties", "note.pdf", 3)]
    digest = compose(Reader("me", "Me", "avocat", party_activity=False), items, T0, T0 + timedelta(days=1))
    assert digest is not None
    names = [d.file_name for s in digest.expertises for f in s.folders for d in f.deposits]
    assert sorted(names) == ["mon dire.pdf", "note.pdf"]


def test_an_expert_cannot_opt_out_of_party_activity():
    items = [deposit("a", "parties/p1/dires-et-annexes", "dire.pdf", 1, role="partie_publiante", by="x")]
    assert compose(Reader("e", "E", "expert", party_activity=False), items, T0, T0 + timedelta(days=1)) is not None


def test_a_digest_with_only_opted_out_activity_is_not_sent():
    items = [deposit("a", "parties/p1/dires-et-annexes", "dire.pdf", 1, role="avocat", by="x")]
    assert compose(Reader("m", "M", "magistrat", party_activity=False), items, T0, T0 + timedelta(days=1)) is None
