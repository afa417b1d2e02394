"""Notification benchmark: the end-of-day digest (``scelle-notification digest``) for 10,000 people.

Run it from the repository root (tests/bench/README.md says more)::

    .venv/bin/python tests/bench/digest_bench.py [--recipients N] [--deposits N] [--json]
    ./scelle bench tests/bench/digest_bench.py

It creates a throwaway database ``bench_notification_<token>`` migrated by the notification
service's Alembic history and generates server-side (``generate_series``) what the consumer would
have recorded in one day of heavy use:

* ``--recipients`` (10,000) contacts: experts, magistrats, greffiers, avocats and parties; one
  avocat in five opted out of party activity;
* ``--recipients`` / 2 expertises with five members each (everyone belongs to two or three);
* ``--deposits`` (200,000) deposits in the period, across 12 folders per expertise, each readable by
  four of its expertise's five members (its ``audience``); in the parties' folders one deposit in
  five is an avocat's (party activity, hidden from those who opted out); one status change per ten
  expertises.

Then it times the very function the command runs, ``run_digest(services, until)``: reading each
person's items, composing, rendering HTML and text with the Jinja2 templates, and queueing one
mail per person (SMTP excluded: the sender is another process). The per-recipient cost is the run
divided by the digests queued. A second run for the same period must queue nothing. Target: the
first run < 60 s. PASS or FAIL is printed; the exit status is 0 whatever the figures (non-zero
only when the benchmark itself could not run). The database is dropped at the end, also on an
error, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import signal
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scelle_notification.bootstrap import build_runtime, build_services
from scelle_notification.config import Settings
from scelle_notification.service_layer.digests import run_digest

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "services" / "notification" / "migrations"
TARGET_SECONDS = 60.0
UNTIL = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
MEMBERS = 5
FOLDERS = [
    ("expert/notes-aux-parties", "Expert / Notes aux parties"),
    ("expert/correspondance", "Expert / Correspondance"),
    ("expert/gestion-financiere", "Expert / Gestion financière de l'expertise"),
    ("expert/gestion-des-delais", "Expert / Gestion des délais"),
    ("magistrat/expert-vers-magistrat", "Magistrat / Expert → Magistrat"),
    ("magistrat/magistrat-vers-expert", "Magistrat / Magistrat → Expert"),
    ("greffe/expert-parties-vers-greffe", "Greffe / Expert & Parties → Greffe"),
    ("greffe/greffe-vers-expert-parties", "Greffe / Greffe → Expert & Parties"),
    ("parties/p1/dires-et-annexes", "Parties / SCI Les Tilleuls / Dires et annexes"),
    ("parties/p1/pieces-cotees", "Parties / SCI Les Tilleuls / Pièces cotées"),
    ("parties/p2/dires-et-annexes", "Parties / M. Hartmann / Dires et annexes"),
    ("parties/p2/pieces-cotees", "Parties / M. Hartmann / Pièces cotées"),
]


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds only the report."""
    print(f"[digest_bench] {message}", file=sys.stderr, flush=True)


def load(url: str, recipients: int, deposits: int) -> dict[str, float]:
    """Generate contacts, preferences, expertises, activities and digest items server-side."""
    expertises = recipients // 2
    folder_values = ", ".join(f"({i}, '{path}', '{label.replace(chr(39), chr(39) * 2)}')"
                              for i, (path, label) in enumerate(FOLDERS))
    params = {"n": recipients, "e": expertises, "d": deposits, "m": MEMBERS, "until": UNTIL,
              "folders": len(FOLDERS)}
    steps = {
        "contacts": """
            INSERT INTO contacts (account_id, account_version, profile, status, given_name, surname, email, updated_at)
            SELECT 'acc-' || i, 1,
                   (ARRAY['expert', 'magistrat', 'greffier', 'avocat', 'avocat', 'partie'])[1 + i % 6], 'active',
                   'Prénom' || i, 'Nom' || i, 'personne' || i || '@exemple.test', now()
            FROM generate_series(0, :n - 1) AS i;
            INSERT INTO preferences (account_id, party_activity, updated_at)
            SELECT 'acc-' || i, false, now() FROM generate_series(0, :n - 1) AS i WHERE i % 30 = 3""",
        "expertises": """
            INSERT INTO expertises (expertise_id, expertise_version, display_name, status, owner_account_id, updated_at)
            SELECT 'exp-' || j, 3, 'DEMANDEUR' || j || '_DEFENDEUR' || j || '_TJ PARIS_24-' || j || '_EXPERT',
                   'en_cours', 'acc-' || ((j * :m) % :n), now()
            FROM generate_series(0, :e - 1) AS j""",
        "status changes": """
            INSERT INTO activities (event_id, kind, expertise_id, expertise_name, occurred_at, recorded_at, details)
            SELECT 'status-' || j, 'status', 'exp-' || j, 'DEMANDEUR' || j || '_DEFENDEUR' || j || '_TJ PARIS_24-' || j
                   || '_EXPERT', CAST(:until AS timestamptz) - interval '20 hours',
                   CAST(:until AS timestamptz) - interval '20 hours',
                   '{"from_status": "en_creation", "to_status": "en_cours", "reason": null}'::jsonb
            FROM generate_series(0, :e - 1, 10) AS j""",
        "deposits": f"""
            INSERT INTO activities (event_id, kind, expertise_id, expertise_name, occurred_at, recorded_at, details)
            SELECT 'deposit-' || i, 'deposit', 'exp-' || (i % :e),
                   'DEMANDEUR' || (i % :e) || '_DEFENDEUR' || (i % :e) || '_TJ PARIS_24-' || (i % :e) || '_EXPERT',
                   at, at,
                   jsonb_build_object('document_id', 'doc-' || i, 'file_name', 'Document n°' || i || '.pdf',
                                      'folder_path', f.path, 'folder_label', f.label,
                                      'depositor_account_id', 'acc-' || (((i % :e) * :m + i % :m) % :n),
                                      'depositor_name', 'Prénom' || i % :n || ' NOM' || i % :n,
                                      'depositor_role', CASE WHEN f.k >= 8 AND i % 5 = 0 THEN 'avocat' ELSE 'expert' END)
            FROM (SELECT i, CAST(:until AS timestamptz) - (interval '1 second' * (i % 86000)) AS at
                  FROM generate_series(0, :d - 1) AS i) AS s
            JOIN (VALUES {folder_values}) AS f(k, path, label) ON f.k = s.i % :folders""",
        "digest items": """
            INSERT INTO digest_items (account_id, activity_id, recorded_at)
            SELECT DISTINCT 'acc-' || (((CAST(substr(a.expertise_id, 5) AS int)) * :m + k) % :n), a.id, a.recorded_at
            FROM activities a CROSS JOIN generate_series(0, :m - 1) AS k
            WHERE a.kind = 'status' OR abs(hashtext(a.event_id)) % :m <> k""",
        "analyze": "ANALYZE",
    }
    engine = create_engine(url)
    timings: dict[str, float] = {}
    try:
        for name, sql in steps.items():
            started = time.perf_counter()
            with engine.begin() as connection:
                for statement in sql.split(";"):
                    if statement.strip():
                        used = {key: value for key, value in params.items() if f":{key}" in statement}
                        connection.execute(text(statement), used)
            timings[name] = round(time.perf_counter() - started, 2)
            log(f"generated {name} in {timings[name]} s")
    finally:
        engine.dispose()
    return timings


def run(url: str, broker_url: str) -> dict[str, Any]:
    runtime = build_runtime(Settings(database_url=url, broker_url=broker_url))
    try:
        services = build_services(runtime)
        with runtime.engine.connect() as connection:
            items = connection.execute(text("SELECT count(*) FROM digest_items")).scalar_one()
            people = connection.execute(text("SELECT count(DISTINCT account_id) FROM digest_items")).scalar_one()
        log(f"first run up to {UNTIL.isoformat()} ({items:,} items for {people:,} people)")
        started = time.perf_counter()
        first = run_digest(services, UNTIL)
        first_seconds = time.perf_counter() - started
        log("second run, same period")
        started = time.perf_counter()
        second = run_digest(services, UNTIL)
        second_seconds = time.perf_counter() - started
        with runtime.engine.connect() as connection:
            mails, lines, size = connection.execute(text(
                "SELECT count(*), coalesce(sum(CAST(context ->> 'lines' AS int)), 0), "
                "coalesce(avg(length(html_body) + length(text_body)), 0) FROM emails WHERE kind = 'digest'")).one()
            duplicates = connection.execute(text(
                "SELECT count(*) FROM (SELECT recipient_account_id FROM emails GROUP BY 1 HAVING count(*) > 1) d"
            )).scalar_one()
    finally:
        runtime.close()
    return {"digest_items": items, "people_with_items": people, "first_run_seconds": round(first_seconds, 2),
            "second_run_seconds": round(second_seconds, 2), "queued": first.queued,
            "nothing_to_tell": first.nothing_to_tell, "no_address": first.no_address, "chunks": first.chunks,
            "queued_second_run": second.queued, "mails_in_queue": mails, "lines_in_digests": int(lines),
            "average_mail_bytes": int(size), "people_with_two_digests": duplicates,
            "per_recipient_ms": round(first_seconds * 1000 / max(first.queued, 1), 2)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000, help="people with news in the period")
    parser.add_argument("--deposits", type=int, default=200_000, help="deposits in the period")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("SCELLE_TEST_POSTGRES_URL",
                                               "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
                        help="a server URL where databases may be created ($SCELLE_TEST_POSTGRES_URL)")
    parser.add_argument("--broker-url",
                        default=os.environ.get("SCELLE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
                        help="AMQP URL, only for the settings: the digest publishes nothing")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of text")
    args = parser.parse_args(argv)
    if args.recipients < 20 or args.deposits < 1:
        parser.error("need --recipients ≥ 20 and --deposits ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))  # unwind: the database is dropped
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    database = f"bench_notification_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    created = False
    try:
        with admin.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
            log(f"creating database {database}")
            connection.execute(text(f'CREATE DATABASE "{database}"'))
            created = True
        url = make_url(args.postgres_url).set(database=database).render_as_string(hide_password=False)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        command.upgrade(config, "head")
        started = time.perf_counter()
        timings = load(url, args.recipients, args.deposits)
        load_seconds = round(time.perf_counter() - started, 1)
        measured = run(url, args.broker_url)
    finally:
        if created:
            log("dropping the database")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
    correct = (measured["queued"] + measured["nothing_to_tell"] == measured["people_with_items"]
               and measured["queued"] > 0 and measured["queued_second_run"] == 0
               and measured["people_with_two_digests"] == 0 and measured["no_address"] == 0)
    fast = measured["first_run_seconds"] < TARGET_SECONDS
    report = {
        "config": {"recipients": args.recipients, "deposits": args.deposits, "until": UNTIL.isoformat(),
                   "cpus": os.cpu_count(), "python": platform.python_version(), "postgresql": version},
        "load_seconds": load_seconds, "load_steps_seconds": timings, **measured,
        "targets": {f"digest run < {TARGET_SECONDS:g} s": "PASS" if fast else "FAIL",
                    "one digest per person with news, none on the second run": "PASS" if correct else "FAIL"},
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    c = report["config"]
    print(f"Digest benchmark — {c['recipients']:,} people, {c['deposits']:,} deposits until {c['until']}, "
          f"PostgreSQL {c['postgresql']}, {c['cpus']} CPUs")
    print(f"data generated in {load_seconds} s ({', '.join(f'{k} {v} s' for k, v in timings.items())}); "
          f"{measured['digest_items']:,} (item, person) rows for {measured['people_with_items']:,} people")
    print(f"first run:  {measured['first_run_seconds']} s — {measured['queued']:,} digests queued "
          f"({measured['lines_in_digests']:,} lines, {measured['average_mail_bytes']:,} bytes HTML+text on average), "
          f"{measured['nothing_to_tell']:,} with nothing to tell, {measured['chunks']} chunks; "
          f"{measured['per_recipient_ms']} ms per recipient")
    print(f"second run: {measured['second_run_seconds']} s — {measured['queued_second_run']} digests")
    for target, verdict in report["targets"].items():
        print(f"{verdict}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
