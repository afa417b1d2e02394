"""``scelle-notification digest`` as the CronJob runs it: from the environment, a JSON report."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

from scelle_notification.entrypoints.cli import cli

from .conftest import Case, person


def test_the_digest_command_queues_once_and_reports_what_it_did(notification, settings, clock):
    owner, reader = person("expert", "Jean"), person("avocat", "Zoé")
    for who in (owner, reader):
        notification.feed(who.registered())
    case = Case(owner, "JULIETT_KILO")
    notification.feed(case.created())
    notification.feed(case.deposit("expert/notes-aux-parties", "Expert / Notes aux parties", "Note.pdf", owner,
                                   "expert", [owner, reader], clock.now))
    env = {"NOTIFICATION_DATABASE_URL": settings.database_url, "NOTIFICATION_BROKER_URL": settings.broker_url}
    until = (clock.now + dt.timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    first = CliRunner().invoke(cli, ["digest", "--until", until], env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) | {"seconds": 0} == {
        "until": until.replace("Z", "+00:00"), "readers": 2, "queued": 2, "nothing_to_tell": 0, "no_address": 0,
        "chunks": 1, "seconds": 0}
    again = CliRunner().invoke(cli, ["digest", "--until", until], env=env)
    assert json.loads(again.output)["queued"] == 0
    naive = CliRunner().invoke(cli, ["digest", "--until", "2026-12-03T20:00:00"], env=env)
    assert naive.exit_code == 2 and "time zone" in naive.output
