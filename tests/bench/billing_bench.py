"""Billing benchmark: the daily run (``scelle-billing run-invoicing``) over 100,000 expertises.

Run it from the repository root (tests/bench/README.md says more)::

    .venv/bin/python tests/bench/billing_bench.py [--expertises N] [--due N] [--json]
    ./scelle bench tests/bench/billing_bench.py

It creates a throwaway database ``bench_billing_<token>`` migrated by the billing service's Alembic
history, generates server-side (``generate_series``) what a billing database holds after two years
of use, then times the very function the command runs, ``run_invoicing(services, day)``, with the
real unit of work, outbox (events written, not relayed) and audit chain:

* ``--due`` (1,000) files entered ``en_cours`` exactly six months before the billing day: each owes
  its first invoice (4 lines: reservation, opening, 2 parties);
* half of the rest entered ``en_cours`` less than six months ago (pending lines, nothing due);
* the other half are older and already had their first invoice (paid); one in ten has a party added
  since, waiting for the final report — candidates the domain must look at and turn down;
* ``--overdue`` (300) of those old invoices are unpaid past their due date, so the run also duns
  their accounts (incident, formal notice or suspension, depending on the age).

Then it runs the same day again: nothing new may be issued. It checks the numbers issued are
contiguous after the year's last one. Target: the first run < 30 s. PASS or FAIL is printed; the
exit status is 0 whatever the figures (non-zero only when the benchmark itself could not run).
The database is dropped at the end, also on an error, Ctrl-C or SIGTERM.
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
from datetime import date
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scelle_billing.bootstrap import build_runtime, build_services
from scelle_billing.config import Settings
from scelle_billing.service_layer.invoicing import run_invoicing

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "services" / "billing" / "migrations"
TARGET_SECONDS = 30.0
DAY = date(2026, 11, 24)
SIX_MONTHS_BEFORE = date(2026, 5, 24)
EXPERTS = 2_000


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds only the report."""
    print(f"[billing_bench] {message}", file=sys.stderr, flush=True)


def load(url: str, expertises: int, due: int, overdue: int) -> dict[str, float]:
    """Generate files, lines, past invoices and payments server-side; return timings per step."""
    recent_end = due + (expertises - due) // 2
    params = {"n": expertises, "due": due, "recent_end": recent_end, "experts": EXPERTS, "overdue": overdue,
              "day": DAY, "six": SIX_MONTHS_BEFORE}
    steps = {
        "files": """
            INSERT INTO billing_files (expertise_id, owner_account_id, display_name, status, status_version,
                                       en_cours_at, en_cours_on, tariff_version, invoice_count, closed,
                                       created_at, updated_at)
            SELECT 'exp-' || i, 'expert-' || (i % :experts), 'BENCH_' || i, 'en_cours', 2,
                   d::timestamptz + interval '10 hours', d, '2020-04', CASE WHEN i >= :recent_end THEN 1 ELSE 0 END,
                   false, now(), now()
            FROM (SELECT i, CASE WHEN i < :due THEN CAST(:six AS date)
                                 WHEN i < :recent_end THEN CAST(:six AS date) + 1 + (i % 180)
                                 ELSE DATE '2024-05-01' + (i % 380) END AS d
                  FROM generate_series(0, :n - 1) AS i) AS s""",
        "past invoices": """
            INSERT INTO invoice_counters (year, last_sequence) VALUES (2026, 0);
            INSERT INTO invoices (id, number, year, sequence, version, expertise_id, account_id, kind,
                                  tariff_version, issued_on, due_on, payment_method, lines, total_ht_cents,
                                  vat_cents, total_ttc_cents, paid_cents, settled, settled_on, created_at)
            SELECT 'inv-' || f.expertise_id, '2026-' || lpad(CAST(row_number() OVER w AS text), 6, '0'), 2026,
                   row_number() OVER w, 1, f.expertise_id, f.owner_account_id, 'premiere', '2020-04',
                   f.en_cours_on + interval '6 months', f.en_cours_on + interval '6 months' + interval '30 days',
                   'prelevement_sepa', '[]'::jsonb, 4500, 900, 5400, 5400, true,
                   f.en_cours_on + interval '6 months' + interval '20 days', now()
            FROM billing_files f WHERE f.invoice_count = 1
            WINDOW w AS (ORDER BY f.en_cours_on, f.expertise_id);
            UPDATE invoice_counters SET last_sequence = (SELECT max(sequence) FROM invoices) WHERE year = 2026;""",
        "unpaid invoices": """
            UPDATE invoices SET paid_cents = 0, settled = false, settled_on = NULL,
                                due_on = CAST(:day AS date) - 1 - (CAST(substr(expertise_id, 5) AS int) % 60)
            WHERE id IN (SELECT id FROM invoices ORDER BY expertise_id LIMIT :overdue)""",
        "lines": """
            INSERT INTO billing_lines (id, expertise_id, code, source_ref, label, unit_price_cents, accrued_at,
                                       accrued_on, invoice_id)
            SELECT f.expertise_id || '-' || l.code || l.k, f.expertise_id, l.code,
                   CASE WHEN l.code = 'partie' THEN 'party-' || l.k ELSE f.expertise_id END, l.label, l.price,
                   f.en_cours_at, f.en_cours_on, CASE WHEN f.invoice_count = 1 THEN 'inv-' || f.expertise_id END
            FROM billing_files f
            CROSS JOIN (VALUES ('reservation_capacite', 0, 'Réservation de capacité', 1000),
                               ('ouverture', 0, 'Frais d''ouverture de l''expertise', 2500),
                               ('partie', 1, 'Prix par partie', 1000),
                               ('partie', 2, 'Prix par partie', 1000)) AS l(code, k, label, price)""",
        "lines after six months": """
            INSERT INTO billing_lines (id, expertise_id, code, source_ref, label, unit_price_cents, accrued_at,
                                       accrued_on)
            SELECT expertise_id || '-partie3', expertise_id, 'partie', 'party-3', 'Prix par partie', 1000,
                   en_cours_at + interval '7 months', en_cours_on + interval '7 months'
            FROM billing_files WHERE invoice_count = 1 AND CAST(substr(expertise_id, 5) AS int) % 10 = 0""",
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
            last_before = connection.execute(text("SELECT last_sequence FROM invoice_counters "
                                                  "WHERE year = 2026")).scalar_one()
        log(f"first run of {DAY}")
        started = time.perf_counter()
        first = run_invoicing(services, DAY)
        first_seconds = time.perf_counter() - started
        log(f"second run of {DAY}")
        started = time.perf_counter()
        second = run_invoicing(services, DAY)
        second_seconds = time.perf_counter() - started
        with runtime.engine.connect() as connection:
            sequences = connection.execute(text(
                "SELECT sequence FROM invoices WHERE year = 2026 AND sequence > :last ORDER BY sequence"),
                {"last": last_before}).scalars().all()
            issued_events = connection.execute(text(
                "SELECT count(*) FROM outbox WHERE body::jsonb ->> 'type' = 'fr.scelle.billing.invoice_issued.v1'"
            )).scalar_one()
    finally:
        runtime.close()
    contiguous = list(sequences) == list(range(last_before + 1, last_before + 1 + len(sequences)))
    return {"first_run_seconds": round(first_seconds, 2), "second_run_seconds": round(second_seconds, 2),
            "candidates": first.candidates, "invoices_issued": len(first.invoices),
            "invoices_issued_second_run": len(second.invoices), "dunning_actions": first.dunning,
            "dunning_actions_second_run": second.dunning, "numbers_contiguous": contiguous,
            "first_number": first.invoices[0] if first.invoices else None,
            "last_number": first.invoices[-1] if first.invoices else None,
            "invoice_issued_events": issued_events,
            "invoices_per_second": round(len(first.invoices) / first_seconds, 1) if first_seconds else None}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--expertises", type=int, default=100_000, help="billing files generated")
    parser.add_argument("--due", type=int, default=1_000, help="files owing their first invoice on the day")
    parser.add_argument("--overdue", type=int, default=300, help="old invoices left unpaid past due")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("SCELLE_TEST_POSTGRES_URL",
                                               "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
                        help="a server URL where databases may be created ($SCELLE_TEST_POSTGRES_URL)")
    parser.add_argument("--broker-url",
                        default=os.environ.get("SCELLE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
                        help="AMQP URL, only for the settings: the run writes events to the outbox, nothing is "
                             "published")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of text")
    args = parser.parse_args(argv)
    if not 0 < args.due < args.expertises or args.overdue >= args.expertises // 2:
        parser.error("need 0 < --due < --expertises and --overdue below half of --expertises")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))  # unwind: the database is dropped
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    database = f"bench_billing_{uuid.uuid4().hex[:10]}"
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
        timings = load(url, args.expertises, args.due, args.overdue)
        load_seconds = round(time.perf_counter() - started, 1)
        measured = run(url, args.broker_url)
    finally:
        if created:
            log("dropping the database")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
    correct = (measured["invoices_issued"] == args.due and measured["invoices_issued_second_run"] == 0
               and measured["numbers_contiguous"] and measured["invoice_issued_events"] == args.due)
    fast = measured["first_run_seconds"] < TARGET_SECONDS
    report = {
        "config": {"expertises": args.expertises, "due": args.due, "overdue": args.overdue, "day": DAY.isoformat(),
                   "cpus": os.cpu_count(), "python": platform.python_version(), "postgresql": version},
        "load_seconds": load_seconds, "load_steps_seconds": timings, **measured,
        "targets": {f"daily run < {TARGET_SECONDS:g} s": "PASS" if fast else "FAIL",
                    "exactly the due invoices, once, numbers contiguous": "PASS" if correct else "FAIL"},
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    c = report["config"]
    print(f"Billing benchmark — {c['expertises']:,} expertises, {c['due']:,} due on {c['day']}, "
          f"{c['overdue']} unpaid invoices, PostgreSQL {c['postgresql']}, {c['cpus']} CPUs")
    print(f"data generated in {load_seconds} s ({', '.join(f'{k} {v} s' for k, v in timings.items())})")
    print(f"first run:  {measured['first_run_seconds']} s — {measured['candidates']:,} candidates, "
          f"{measured['invoices_issued']:,} invoices ({measured['first_number']} … {measured['last_number']}, "
          f"{measured['invoices_per_second']} /s), dunning {measured['dunning_actions']}")
    print(f"second run: {measured['second_run_seconds']} s — {measured['invoices_issued_second_run']} invoices, "
          f"dunning {measured['dunning_actions_second_run']}")
    for target, verdict in report["targets"].items():
        print(f"{verdict}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
