"""The end-of-day digest against the real database and SMTP server: exactly what each person may
read, once per period, resumable after a crash."""

from __future__ import annotations

import datetime as dt

from scelle_common.messaging import Outcome

from .conftest import Case, mailer_for, person


def body(smtp_capture, address: str) -> str:  # noqa: ANN001
    [mail] = [m for m in smtp_capture.messages()
              if m.recipients == [address] and str(m.message["Subject"]) == "[Scellé] Compte rendu d'activité"]
    return mail.message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def paris(at: dt.datetime) -> str:
    local = at.astimezone(dt.timezone(dt.timedelta(hours=1)))  # December: Paris is UTC+1
    return f"le {local:%d/%m/%Y} à {local:%Hh%M}"


def test_a_person_receives_exactly_the_lines_of_the_folders_they_may_read_and_a_second_run_sends_nothing(
        notification, smtp_capture, clock):
    expert, judge, lawyer = person("expert", "Hélène"), person("magistrat", "François"), person("avocat", "Claire")
    for who in (expert, judge, lawyer):
        assert notification.feed(who.registered()) is Outcome.ACK
    alpha, bravo = Case(expert, "ALPHA_BETA_TJ PARIS_22-1"), Case(expert, "BRAVO_CHARLIE_TJ LYON_23-2")
    for case in (alpha, bravo):
        notification.feed(case.created())
    notification.feed(alpha.participant(judge, "magistrat"))
    notification.feed(alpha.participant(lawyer, "avocat"))
    notification.feed(bravo.participant(lawyer, "avocat"))

    at = dt.datetime(2026, 12, 3, 13, 5, tzinfo=dt.UTC)
    events = [
        alpha.status("en_cours", at),
        alpha.deposit("expert/notes-aux-parties", "Expert / Notes aux parties", "Note n°1.pdf", expert, "expert",
                      [expert, judge, lawyer], at + dt.timedelta(minutes=10)),
        alpha.deposit("magistrat/expert-vers-magistrat", "Magistrat / Expert → Magistrat", "Demande de délai.pdf",
                      expert, "expert", [expert, judge], at + dt.timedelta(minutes=20)),
        bravo.deposit("parties/p1/pieces-cotees", "Parties / SCI Les Tilleuls / Pièces cotées", "Pièce 1.pdf",
                      lawyer, "avocat", [expert, lawyer], at + dt.timedelta(minutes=30)),
    ]
    for event in events:
        assert notification.feed(event) is Outcome.ACK
        assert notification.feed(event) is Outcome.ACK  # redelivered: still one line

    until = clock.advance(minutes=1)
    report = notification.digest(until)
    assert (report.readers, report.queued) == (3, 3)
    assert notification.digest(until).queued == 0  # same period again: nothing
    assert notification.digest(clock.advance(hours=1)).queued == 0  # nothing new since: nobody gets an empty one
    # 3 digests, and the 3 "you take part in an expertise" mails of the participants added
    assert notification.deliver(mailer_for(smtp_capture.host, smtp_capture.port)).sent == 6

    lawyer_mail = body(smtp_capture, lawyer.email)
    assert [line for line in lawyer_mail.splitlines() if line.startswith(("ALPHA", "BRAVO", "Le ", "Dans", "  - "))] == [
        "ALPHA_BETA_TJ PARIS_22-1",
        f"Le 03/12/2026 à 14h05, changement de statut : l'expertise est désormais « En cours ».",
        "Dans le répertoire Expert / Notes aux parties",
        f"  - Note n°1.pdf par Hélène {expert.surname.upper()} {paris(at + dt.timedelta(minutes=10))}",
        "BRAVO_CHARLIE_TJ LYON_23-2",
        "Dans le répertoire Parties / SCI Les Tilleuls / Pièces cotées",
        f"  - Pièce 1.pdf par Claire {lawyer.surname.upper()} {paris(at + dt.timedelta(minutes=30))}",
    ]
    assert "Demande de délai.pdf" not in lawyer_mail
    assert f"Bonjour Claire {lawyer.surname.upper()}," in lawyer_mail
    judge_mail = body(smtp_capture, judge.email)
    assert "Demande de délai.pdf" in judge_mail and "BRAVO" not in judge_mail
    expert_mail = body(smtp_capture, expert.email)
    assert all(name in expert_mail for name in ("Note n°1.pdf", "Demande de délai.pdf", "Pièce 1.pdf"))

    # Later activity makes a new period, starting where the last one ended.
    clock.advance(minutes=1)
    notification.feed(bravo.deposit("parties/p1/pieces-cotees", "Parties / SCI Les Tilleuls / Pièces cotées",
                                    "Pièce 2.pdf", lawyer, "avocat", [expert, lawyer], at + dt.timedelta(hours=1)))
    assert notification.digest(clock.advance(minutes=1)).queued == 2
    states = dict(notification.sql("SELECT account_id, last_until FROM digest_state"))
    assert states[lawyer.account_id] == clock.now and states[judge.account_id] == until


def test_a_crashed_run_resumes_where_it_stopped_and_nobody_gets_two_digests(notification, clock):
    owner = person("expert", "Paul")
    readers = [person("avocat", f"Lecteur{i}") for i in range(5)]
    for who in (owner, *readers):
        notification.feed(who.registered())
    case = Case(owner, "DELTA_ECHO")
    notification.feed(case.created())
    notification.feed(case.deposit("expert/notes-aux-parties", "Expert / Notes aux parties", "note.pdf", owner,
                                   "expert", [owner, *readers], clock.now - dt.timedelta(minutes=5)))
    until = clock.advance(minutes=1)
    crashed = notification.digest(until, max_chunks=1)  # chunks of 2 readers: the run dies after the first
    assert crashed.queued == 2
    resumed = notification.digest(until)
    assert resumed.queued == 4
    assert notification.digest(until).queued == 0
    rows = notification.sql("SELECT recipient_account_id, count(*) FROM emails WHERE kind = 'digest' "
                            "GROUP BY recipient_account_id")
    assert sorted(r[0] for r in rows) == sorted(p.account_id for p in (owner, *readers))
    assert {r[1] for r in rows} == {1}


def test_a_magistrat_who_opted_out_of_party_activity_hears_only_of_the_rest(notification, clock):
    expert, judge, lawyer = person("expert", "Anne"), person("magistrat", "Marc"), person("avocat", "Zoé")
    for who in (expert, judge, lawyer):
        notification.feed(who.registered())
    case = Case(expert, "FOXTROT_GOLF")
    notification.feed(case.created())
    with notification.services.unit_of_work() as uow:
        uow.contacts.set_party_activity(judge.account_id, False, clock.now)
        uow.commit()
    notification.feed(case.deposit("parties/p1/dires-et-annexes", "Parties / X / Dires et annexes", "Dire.pdf",
                                   lawyer, "avocat", [expert, judge, lawyer], clock.now - dt.timedelta(minutes=3)))
    assert notification.digest(clock.advance(minutes=1)).queued == 2  # the expert and the lawyer; the magistrat: nothing to tell
    assert notification.sql("SELECT count(*) FROM emails WHERE recipient_account_id = :j", j=judge.account_id) == [(0,)]
    clock.advance(seconds=1)
    notification.feed(case.deposit("expert/notes-aux-parties", "Expert / Notes aux parties", "Note.pdf", expert,
                                   "expert", [expert, judge, lawyer], clock.now - dt.timedelta(minutes=2)))
    notification.digest(clock.advance(minutes=1))
    [(text_body,)] = notification.sql("SELECT text_body FROM emails WHERE recipient_account_id = :j",
                                      j=judge.account_id)
    assert "Note.pdf" in text_body and "Dire.pdf" not in text_body
