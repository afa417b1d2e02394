"""Expertise benchmark: workspace listing and search on 100,000 cases, against a primary-key lookup.

Run it from the repository root (tests/bench/README.md says more)::

    .venv/bin/python tests/bench/expertise_bench.py [--expertises N] [--samples N] [--json]
    ./scelle bench tests/bench/expertise_bench.py

1. **Data.** A throwaway database ``bench_expertise_<token>`` built by the expertise service's own
   Alembic history (``services/expertise/migrations``: the real tables, the ``fr_unaccent`` text
   search configuration, the GIN full-text and trigram indexes, the partial index on
   participations). Generated server-side (``INSERT … SELECT generate_series``): ``--expertises``
   cases (100,000) in every status, 2 parties each, 5 participants each (owner expert, magistrat
   en charge, greffier, 2 avocats → 500,000 participants; 3 % inactive), one document per case
   whose five readers have a 25 % chance of not having downloaded it. Accounts are spread like a
   real platform: 2,000 experts (≈ 50 cases each), 1,000 magistrats and 1,000 greffiers (≈ 100
   each), 10,000 avocats (≈ 20 each). ``ANALYZE`` follows the load.

2. **Measured**, each ``--samples`` times (300), callers drawn at random among those accounts,
   through the real Flask app (``create_app``: principal-token verification, marshmallow, the
   service layer's unit of work with its audit-chain append and commit, JSON):

   * ``workspace``: ``GET /v1/expertises`` (default filter, unread first, 50 per page);
   * ``search``: ``GET /v1/search/expertises?q=…`` with realistic queries — an RG prefix, a
     party's word, a jurisdiction, a surname with an accent, a Mi number — always limited to the
     caller's cases;
   * ``read one``: ``GET /v1/expertises/<id>`` of one of the caller's cases;
   * baseline ``primary key``: ``SELECT * FROM expertises WHERE id = :id`` on the same engine,
     the plainest indexed lookup.

   Latency = wall time around the call (``time.perf_counter``), after a warm-up of 30 calls per
   kind. Target: p95 < 50 ms for workspace and search.

Everything created — the database — is dropped at the end, whatever happens. The exit code is 0
whatever the figures are (this is a report); it is non-zero only when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import signal
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "services" / "expertise" / "migrations"
TARGET_P95_MS = 50.0

EXPERTS, MAGISTRATS, GREFFIERS, AVOCATS = 2_000, 1_000, 1_000, 10_000
SURNAMES = ["MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
            "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD",
            "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MULLER", "LEFEVRE", "FAURE",
            "ANDRE", "MERCIER", "BLANC", "GUERIN", "BOYER", "GARNIER", "CHEVALIER", "FRANCOIS", "LEGRAND",
            "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLEMENT", "MORIN", "NICOLAS", "HENRY", "ROUSSEL",
            "MATHIEU", "GAUTIER", "MASSON", "HARTMANN", "POITOU"]
COMPANIES = ["SCI LES TILLEULS", "SARL CHARPENTE DU SUD", "SYNDICAT DES COPROPRIETAIRES LES ERABLES",
             "SA BATIR ENSEMBLE", "EURL TOITURES MODERNES", "MAIF", "AXA FRANCE IARD", "SMABTP",
             "SCI DU MOULIN", "SAS GENIE CLIMATIQUE"]
CITIES = ["BORDEAUX", "PARIS", "LYON", "MARSEILLE", "LILLE", "EVRY", "NANTES", "RENNES", "TOULOUSE", "NICE",
          "GRENOBLE", "DIJON", "ROUEN", "REIMS", "ANGERS", "NIMES", "METZ", "PAU", "CAEN", "LIMOGES"]
QUERIES = ["22/0", "tilleuls", "bordeaux", "Lefèvre", "copropriétaires", "MI-12", "charpente", "dupont"]


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds only the report."""
    print(f"[expertise_bench] {message}", file=sys.stderr, flush=True)


def summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": round(cuts[49] * 1000, 2), "p95": round(cuts[94] * 1000, 2), "p99": round(cuts[98] * 1000, 2),
            "max": round(ordered[-1] * 1000, 2), "mean": round(statistics.fmean(ordered) * 1000, 2)}


def sql_array(values: list[str]) -> str:
    return "(ARRAY[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "])"


def load(url: str, count: int) -> dict[str, float]:
    """Generate the cases, parties, participants and unread marks server-side; return timings."""
    engine = create_engine(url)
    timings: dict[str, float] = {}
    names, companies, cities = sql_array(SURNAMES), sql_array(COMPANIES), sql_array(CITIES)
    n_names, n_companies, n_cities = len(SURNAMES), len(COMPANIES), len(CITIES)
    statements = {
        "expertises": f"""
            INSERT INTO expertises (id, version, status, first_applicant, first_defender, jurisdiction, rg_number,
                expert_name, mi_number, designation_date, display_name, portalis_number, consignation_date,
                owner_account_id, created_at, updated_at, en_cours_at, terminee_at, search_text)
            SELECT id, 5, status, applicant, defender, jurisdiction, rg, expert, mi, ddate,
                   concat_ws('_', applicant, defender, jurisdiction, rg, expert, mi, to_char(ddate, 'DD-MM-YYYY')),
                   portalis, CASE WHEN g % 3 = 0 THEN NULL ELSE ddate + 40 END, owner, now(), now(),
                   CASE WHEN status <> 'en_creation' THEN ddate + 60 END,
                   CASE WHEN status = 'terminee' THEN ddate + 400 END,
                   concat_ws(' ', applicant, defender, jurisdiction, rg, expert, mi, portalis,
                             {companies}[1 + g % {n_companies}], {names}[1 + (g * 11) % {n_names}])
            FROM (
                SELECT g, 'e' || lpad(g::text, 7, '0') AS id,
                       (ARRAY['en_creation','en_cours','en_cours','en_cours','en_pause','terminee','terminee'])
                           [1 + g % 7] AS status,
                       {names}[1 + (g * 7) % {n_names}] AS applicant,
                       CASE WHEN g % 2 = 0 THEN {companies}[1 + (g * 3) % {n_companies}]
                            ELSE {names}[1 + (g * 13) % {n_names}] END AS defender,
                       'TJ ' || {cities}[1 + g % {n_cities}] AS jurisdiction,
                       (15 + g % 10)::text || '/' || lpad(((g * 37) % 100000)::text, 5, '0') AS rg,
                       {names}[1 + (g % {EXPERTS}) % {n_names}] AS expert,
                       'MI-' || g::text AS mi,
                       date '2015-01-01' + (g % 3650) AS ddate,
                       'DBYK-W-' || upper(substr(md5(g::text), 1, 3)) || '-' || upper(substr(md5(g::text), 4, 5))
                           AS portalis,
                       'x' || (g % {EXPERTS}) AS owner
                FROM generate_series(1, :count) AS g
            ) AS s""",
        "parties": f"""
            INSERT INTO parties (id, expertise_id, name, kind, representation, added_at)
            SELECT 'p' || g || '-' || k, 'e' || lpad(g::text, 7, '0'),
                   CASE WHEN k = 1 THEN {names}[1 + (g * 7) % {n_names}] ELSE {companies}[1 + g % {n_companies}] END,
                   CASE WHEN k = 1 THEN 'demandeur' ELSE 'defendeur' END, 'avocat', now()
            FROM generate_series(1, :count) AS g, generate_series(1, 2) AS k""",
        "participants": f"""
            INSERT INTO participants (id, expertise_id, role, account_id, email, given_name, surname, party_ids,
                active, en_charge, invitation_pending, search_text, added_at)
            SELECT 'u' || g || '-' || k, 'e' || lpad(g::text, 7, '0'), role, account, account || '@exemple.test',
                   'Prénom', {names}[1 + (g * k) % {n_names}],
                   CASE WHEN role = 'avocat' THEN ARRAY['p' || g || '-' || (k - 3)] ELSE '{{}}' END,
                   role = 'expert' OR (g + k) % 33 <> 0, role = 'magistrat', false,
                   'PRENOM ' || {names}[1 + (g * k) % {n_names}] || ' ' || upper(account) || '@EXEMPLE.TEST',
                   now() + k * interval '1 second'
            FROM (
                SELECT g, k,
                       (ARRAY['expert','magistrat','greffier','avocat','avocat'])[k] AS role,
                       CASE k WHEN 1 THEN 'x' || (g % {EXPERTS}) WHEN 2 THEN 'm' || (g % {MAGISTRATS})
                              WHEN 3 THEN 'g' || ((g * 7) % {GREFFIERS}) WHEN 4 THEN 'a' || ((g * 3) % {AVOCATS})
                              ELSE 'a' || ((g * 3 + 1) % {AVOCATS}) END AS account
                FROM generate_series(1, :count) AS g, generate_series(1, 5) AS k
            ) AS s""",
        "documents": """
            INSERT INTO expertise_documents (document_id, expertise_id, folder, deposited_at)
            SELECT 'd' || g, 'e' || lpad(g::text, 7, '0'), 'expert/correspondance', now()
            FROM generate_series(1, :count) AS g""",
        "unread marks": """
            INSERT INTO document_reads (account_id, document_id, expertise_id, read_at)
            SELECT p.account_id, 'd' || substr(p.expertise_id, 2)::int, p.expertise_id,
                   CASE WHEN hashtext(p.id) % 4 = 0 THEN NULL ELSE now() END
            FROM participants p""",
    }
    with engine.begin() as connection:
        for name, sql in statements.items():
            started = time.perf_counter()
            connection.execute(text(sql), {"count": count})
            timings[name] = round(time.perf_counter() - started, 1)
            log(f"loaded {name} in {timings[name]} s")
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    timings["vacuum analyze"] = round(time.perf_counter() - started, 1)
    engine.dispose()
    return timings


def measure(name: str, samples: int, warmup: int, call: Callable[[random.Random], None], seed: int) -> dict[str, Any]:
    generator = random.Random(seed)
    for _ in range(warmup):
        call(generator)
    seconds = []
    for _ in range(samples):
        started = time.perf_counter()
        call(generator)
        seconds.append(time.perf_counter() - started)
    result = summary(seconds)
    log(f"{name}: p50 {result['p50']} ms, p95 {result['p95']} ms")
    return result


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    from scelle_common.testing.tokens import PrincipalSigner
    from scelle_expertise.config import Settings
    from scelle_expertise.entrypoints.flask_app import create_app

    signer = PrincipalSigner.generate()
    app = create_app(Settings(database_url=url, broker_url=args.broker_url, jwks=signer.jwks, log_level="WARNING"))
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)
    client = app.test_client()
    engine = app.extensions["scelle_runtime"].engine
    count = args.expertises
    callers = ([(f"x{i}", "expert") for i in range(EXPERTS)] + [(f"m{i}", "magistrat") for i in range(MAGISTRATS)]
               + [(f"g{i}", "greffier") for i in range(GREFFIERS)] + [(f"a{i}", "avocat") for i in range(AVOCATS)])
    # Callers of each profile in equal shares (not 10,000 avocats for 2,000 experts).
    by_profile: dict[str, list[tuple[str, str]]] = {}
    for account, profile in callers:
        by_profile.setdefault(profile, []).append((account, profile))

    def pick(generator: random.Random) -> tuple[str, str]:
        return generator.choice(by_profile[generator.choice(list(by_profile))])

    def get(path: str, account: str, profile: str, **kwargs: Any) -> Any:
        response = client.get(path, headers={"X-Scelle-Principal": signer.sign(account_id=account, profile=profile)},
                              **kwargs)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response

    sizes: list[int] = []

    def workspace(generator: random.Random) -> None:
        account, profile = pick(generator)
        sizes.append(len(get("/v1/expertises", account, profile).get_json()["items"]))

    hits: list[int] = []

    def search(generator: random.Random) -> None:
        account, profile = pick(generator)
        query = generator.choice(QUERIES)
        hits.append(len(get("/v1/search/expertises", account, profile,
                            query_string={"q": query}).get_json()["items"]))

    def read_one(generator: random.Random) -> None:
        g = generator.randint(1, count)
        get(f"/v1/expertises/e{g:07d}", f"x{g % EXPERTS}", "expert")

    def primary_key(generator: random.Random) -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT * FROM expertises WHERE id = :id"),
                               {"id": f"e{generator.randint(1, count):07d}"}).one()

    results = {
        "primary key": measure("primary key", args.samples, 30, primary_key, 1),
        "workspace": measure("workspace", args.samples, 30, workspace, 2),
        "search": measure("search", args.samples, 30, search, 3),
        "read one": measure("read one", args.samples, 30, read_one, 4),
    }
    app.extensions["scelle_runtime"].close()
    return {"latency_ms": results, "workspace_items_mean": round(statistics.fmean(sizes), 1),
            "search_hits_mean": round(statistics.fmean(hits), 1)}


def cpu_idle_fraction(seconds: float = 1.0) -> float:
    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(value) for value in stat.readline().split()[1:]]
        return values[3] + values[4], sum(values)

    try:
        idle_before, total_before = sample()
        time.sleep(seconds)
        idle_after, total_after = sample()
    except OSError:
        return 1.0
    return (idle_after - idle_before) / max(1, total_after - total_before)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--expertises", type=int, default=100_000, help="cases generated (5 participants each)")
    parser.add_argument("--samples", type=int, default=300, help="measured calls per kind")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("SCELLE_TEST_POSTGRES_URL",
                                               "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
                        help="a server URL where databases may be created ($SCELLE_TEST_POSTGRES_URL)")
    parser.add_argument("--broker-url",
                        default=os.environ.get("SCELLE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
                        help="AMQP URL, only for the app's settings: nothing is published")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    if args.expertises < EXPERTS or args.samples < 20:
        parser.error(f"--expertises must be at least {EXPERTS} and --samples at least 20")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the database is still dropped.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    database = f"bench_expertise_{uuid.uuid4().hex[:10]}"
    idle = cpu_idle_fraction()
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
        timings = load(url, args.expertises)
        load_seconds = round(time.perf_counter() - started, 1)
        measured = run(url, args)
    finally:
        if created:
            log("dropping the database")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()

    latency = measured["latency_ms"]
    verdicts = {kind: ("PASS" if latency[kind]["p95"] < TARGET_P95_MS else "FAIL") for kind in ("workspace", "search")}
    report = {
        "config": {"expertises": args.expertises, "participants": args.expertises * 5, "samples": args.samples,
                   "cpus": os.cpu_count(), "cpu_idle_before": round(idle, 3), "python": platform.python_version(),
                   "postgresql": version},
        "load_seconds": load_seconds, "load_steps_seconds": timings, **measured,
        "targets": {f"{kind} p95 < {TARGET_P95_MS:g} ms": verdict for kind, verdict in verdicts.items()},
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    config = report["config"]
    print(f"Expertise benchmark — {config['expertises']:,} expertises, {config['participants']:,} participants, "
          f"{config['samples']} samples per row, PostgreSQL {config['postgresql']}, {config['cpus']} CPUs, "
          f"idle {config['cpu_idle_before']:.0%} just before the run")
    print(f"data generated in {load_seconds} s ({', '.join(f'{k} {v} s' for k, v in timings.items())})")
    print(f"{'row':<34}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    labels = {"primary key": "baseline: SELECT by primary key", "workspace": "GET /v1/expertises (workspace)",
              "search": "GET /v1/search/expertises?q=", "read one": "GET /v1/expertises/<id>"}
    for kind, label in labels.items():
        row = latency[kind]
        print(f"{label:<34}{row['p50']:>9}{row['p95']:>9}{row['p99']:>9}{row['max']:>9}")
    print(f"workspace rows per call (mean): {measured['workspace_items_mean']}, "
          f"search hits per call (mean): {measured['search_hits_mean']}")
    for target, verdict in report["targets"].items():
        print(f"{verdict}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
