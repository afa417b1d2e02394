"""Gateway benchmark: an authenticated GET through the nginx mTLS gateway vs the same GET straight
to the service with a pre-signed principal token, in the same run.

Run it from the repository root (tests/bench/README.md says more)::

    .venv/bin/python tests/bench/gateway_bench.py [--duration 8] [--rounds 3] [--json]
    ./scelle bench tests/bench/gateway_bench.py

What runs, all real and on this machine:

* the dev PKI (``deploy/pki``) generated into a temporary directory;
* identity (gunicorn, 2 sync workers as in the local stack) on a throwaway database
  ``bench_gateway_<token>`` built by its migrations and seeded by ``scelle-identity seed-demo``;
* ``_gateway_echo.py`` (gunicorn, 2 sync workers): ``GET /v1/whoami``, the cheapest authenticated
  route there can be — a Scellé API built with ``create_service_app`` (request id, metrics, log
  line, principal token verified with Ed25519) that touches no database. It is the **primary
  target**: with nothing else to do, the gateway's share is the largest it can be;
* identity's own ``GET /v1/accounts/me`` (one account read plus its audit row, hash-chained) as a
  realistic second target;
* nginx rendered from ``deploy/gateway`` exactly as ``./scelle up`` renders it (``worker_processes
  auto``), auth subrequests cached per certificate as configured (30 s).

Paths, same route, same process counts:

* **gateway**: ``https://localhost:<port>/api/<service>/v1/...`` with the demo magistrat's client
  certificate over keep-alive TLS connections (nginx: mTLS, ``auth_request`` answered from its
  cache after the first request of each 30 s, proxying with the principal token);
* **direct**: ``http://127.0.0.1:<service port>/v1/...`` with ``X-Scelle-Principal`` set to a
  token signed beforehand by the same key for the same account (what the gateway would pass).

Load tools, both real clients over real sockets:

* **throughput**: ApacheBench (``ab``, Debian ``apache2-utils``): C, one event loop, keep-alive
  (``-k``), client certificate (``-E``), percentiles to the microsecond (``-e``). ``wrk`` cannot
  present a client certificate, ``hey`` is not packaged for Debian 12, and ``h2load`` has no
  client-certificate option. A Python load generator (``--tool python``: ``--clients`` processes ×
  ``--connections`` threads of ``http.client``) is the fallback when ``ab`` is missing; it spends
  far more CPU per request than nginx does, and on 2 shared cores that cost (higher on the TLS
  side) is charged to the gateway path, so its ratios read low (≈ 68–83 % where ``ab`` gives
  ≈ 82–90 % on the same machine).
* **latency**: ``http.client`` on one connection, requests one after the other: sub-millisecond
  timing of the same work on both paths (the client's cost is identical but for TLS records).

Two phases, each alternating direct/gateway ``--rounds`` times so that drift on a shared machine
affects both alike:

1. **latency**: ``--latency-requests`` sequential requests per round and path: p50/p99 per path;
   *added p50* = gateway p50 − direct p50. Target: < 3 ms.
2. **throughput**: ``--concurrency`` keep-alive connections for ``--duration`` seconds per round
   and path: requests/s, p50/p99 under load. The ratio is the median of the rounds' paired
   ratios (gateway round ÷ the direct round just before it), robust to a neighbour's burst;
   the table's req/s are over all rounds. Target: gateway ≥ 70 % of direct.

gunicorn's sync workers close every connection, so the direct path and nginx → service pay one
TCP connect per request, as in the local stack. Exit code 0 whatever the figures (this is a
report); non-zero only when the benchmark itself could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from jwt.algorithms import OKPAlgorithm  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from scelle_common.testing.servers import free_port  # noqa: E402
from scelle_common.testing.tokens import PrincipalSigner  # noqa: E402
from tests.e2e.harness import NGINX, GatewayProcess, Pki, dev_pki  # noqa: E402

BIN = Path(sys.executable).parent
IDENTITY = ROOT / "services" / "identity"
ADDED_P50_TARGET_MS = 3.0
THROUGHPUT_RATIO_TARGET = 0.70


def log(message: str) -> None:
    print(f"gateway_bench: {message}", file=sys.stderr, flush=True)


def cpu_idle_fraction(seconds: float = 1.0) -> float:
    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return values[3] + values[4], sum(values)

    try:
        idle_before, total_before = sample()
        time.sleep(seconds)
        idle_after, total_after = sample()
    except OSError:
        return 1.0
    return (idle_after - idle_before) / max(1, total_after - total_before)


# -- the parts under test --------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(name: str, app: str, env: dict[str, str], workdir: Path, chdir: Path | None = None,
             ready_path: str = "/healthz") -> Iterator[int]:
    """gunicorn with 2 sync workers (as ./scelle up runs the APIs) on a free port."""
    port = free_port()
    command_line = [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                    "--graceful-timeout", "5", "--no-control-socket", "--log-level", "warning"]
    if chdir is not None:
        command_line += ["--chdir", str(chdir)]
    out = open(workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([*command_line, app], env=os.environ | env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited: {(workdir / f'{name}.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not become ready on {port}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out.close()


@dataclass
class Target:
    """One route reached both ways."""

    name: str
    gateway_path: str
    direct_port: int
    direct_path: str


# -- the load generator -------------------------------------------------------------------------


@dataclass(frozen=True)
class Way:
    """How a client reaches the route on one path (direct or gateway)."""

    tls: bool
    port: int
    path: str
    headers: dict[str, str]
    cert: tuple[str, str] | None = None
    ca: str | None = None


def _connection(way: Way) -> http.client.HTTPConnection:
    if not way.tls:
        return http.client.HTTPConnection("127.0.0.1", way.port, timeout=30)
    context = ssl.create_default_context(cafile=way.ca)
    if way.cert:
        context.load_cert_chain(*way.cert)
    return http.client.HTTPSConnection("localhost", way.port, context=context, timeout=30)


def _run_connection(way: Way, deadline: float, limit: int | None, latencies: list[float],
                    errors: list[str]) -> None:
    connection = _connection(way)
    done = 0
    try:
        while time.perf_counter() < deadline and (limit is None or done < limit):
            started = time.perf_counter()
            try:
                connection.request("GET", way.path, headers=way.headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(type(exc).__name__)
                connection.close()
                continue
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                errors.append(str(response.status))
            done += 1
    finally:
        connection.close()


def _client_process(way: Way, connections: int, start_at: float, seconds: float, pipe: Any) -> None:
    # Everyone starts together, on the shared wall clock.
    time.sleep(max(0.0, start_at - time.time()))
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    threads = [threading.Thread(target=_run_connection, args=(way, deadline, None, latencies, errors))
               for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pipe.send((latencies, errors))
    pipe.close()


@dataclass
class Measure:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] | None = None
    errors: int = 0

    def add(self, latencies: list[float], seconds: float, errors: int) -> None:
        self.latencies = (self.latencies or []) + latencies
        self.requests += len(latencies)
        self.seconds += seconds
        self.errors += errors

    def summary(self) -> dict[str, float]:
        values = sorted(self.latencies or [0.0])
        return {
            "requests": self.requests,
            "req_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(statistics.median(values) * 1000, 3),
            "p99_ms": round(values[min(len(values) - 1, int(len(values) * 0.99))] * 1000, 3),
            "errors": self.errors,
        }


def throughput(way: Way, clients: int, connections: int, seconds: float, into: Measure) -> None:
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 0.3
    pipes, processes = [], []
    for _ in range(clients):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_client_process, args=(way, connections, start_at, seconds, sender))
        process.start()
        pipes.append(receiver)
        processes.append(process)
    latencies: list[float] = []
    errors = 0
    for receiver in pipes:
        got, failed = receiver.recv()
        latencies += got
        errors += len(failed)
    for process in processes:
        process.join()
    into.add(latencies, seconds, errors)


def throughput_ab(way: Way, concurrency: int, seconds: float, into: Measure, work: Path) -> None:
    """One ApacheBench run; its percentile table stands in for the latencies."""
    csv = work / "ab-percentiles.csv"
    command_line = ["ab", "-q", "-k", "-c", str(concurrency), "-t", str(seconds), "-n", "100000000",
                    "-e", str(csv), "-s", "30"]
    if way.tls:
        assert way.cert is not None
        bundle = work / "ab-client.pem"  # ab wants the certificate chain and the key in one file
        if not bundle.exists():
            bundle.write_text(Path(way.cert[0]).read_text() + Path(way.cert[1]).read_text())
            bundle.chmod(0o600)
        command_line += ["-E", str(bundle)]
        url = f"https://localhost:{way.port}{way.path}"
    else:
        url = f"http://127.0.0.1:{way.port}{way.path}"
    for name, value in way.headers.items():
        command_line += ["-H", f"{name}: {value}"]
    result = subprocess.run([*command_line, url], capture_output=True, text=True, check=False, timeout=seconds + 120)
    if result.returncode != 0:
        raise RuntimeError(f"ab failed: {result.stderr.strip() or result.stdout[-500:]}")
    fields = {}
    for line in result.stdout.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    complete = int(fields["Complete requests"])
    errors = int(fields.get("Failed requests", "0").split()[0]) + int(fields.get("Non-2xx responses", "0"))
    taken = float(fields["Time taken for tests"].split()[0])
    percentiles = [float(line.split(",")[1]) / 1000 for line in csv.read_text().splitlines()[1:]]
    # 101 percentiles (0..100) weighted by the run's request count: enough for p50/p99 and to
    # pool rounds.
    weight = max(1, complete // 101)
    into.add([value for value in percentiles for _ in range(weight)], taken, errors)
    into.requests += complete - weight * len(percentiles)


def latency(way: Way, count: int, into: Measure) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    _run_connection(way, float("inf"), count, latencies, errors)
    into.add(latencies, time.perf_counter() - started, len(errors))


# -- the run ------------------------------------------------------------------------------------


def run(args: argparse.Namespace, work: Path, database_url: str) -> dict[str, Any]:
    log("generating the dev PKI")
    pki: Pki = dev_pki(work / "pki")
    signer = PrincipalSigner.generate()
    private = json.loads(OKPAlgorithm.to_jwk(signer.private_key)) | {"kid": signer.kid, "alg": "EdDSA", "use": "sig"}
    software_root = pki.out / "cas" / "scelle" / "root"
    gateway_secret = uuid.uuid4().hex + uuid.uuid4().hex
    identity_env = {
        "IDENTITY_DATABASE_URL": database_url, "IDENTITY_BROKER_URL": args.broker_url,
        "IDENTITY_JWKS": signer.jwks, "IDENTITY_SIGNING_KEY": json.dumps(private),
        "IDENTITY_TRUSTED_ISSUERS_DIR": str(pki.cas_dir),
        "IDENTITY_SOFTWARE_CA_CERT_FILE": str(software_root / "cert.pem"),
        "IDENTITY_SOFTWARE_CA_KEY_FILE": str(software_root / "key.pem"),
        "IDENTITY_SMTP_PORT": str(free_port()),  # nothing is mailed here
        "IDENTITY_GATEWAY_SECRET": gateway_secret,
        "IDENTITY_LOG_LEVEL": "WARNING",
    }
    log("seeding the demo accounts (scelle-identity seed-demo)")
    subprocess.run([str(BIN / "scelle-identity"), "seed-demo", "--manifest", str(pki.out / "manifest.json")],
                   env=os.environ | identity_env, check=True, capture_output=True, timeout=300)
    echo_env = {"BENCHECHO_DATABASE_URL": "postgresql+psycopg://unused@127.0.0.1:9/unused",
                "BENCHECHO_BROKER_URL": "amqp://unused@127.0.0.1:9/", "BENCHECHO_JWKS": signer.jwks,
                "BENCHECHO_LOG_LEVEL": "WARNING"}
    with contextlib.ExitStack() as stack:
        log("starting identity and the echo service (gunicorn, 2 workers each)")
        identity_port = stack.enter_context(gunicorn("identity", "scelle_identity.entrypoints.wsgi:app",
                                                     identity_env, work, ready_path="/readyz"))
        echo_port = stack.enter_context(gunicorn("benchecho", "_gateway_echo:app", echo_env, work,
                                                 chdir=ROOT / "tests" / "bench"))
        log("starting the gateway (nginx rendered from deploy/gateway)")
        gateway = stack.enter_context(GatewayProcess(
            pki, {"identity": identity_port, "benchecho": echo_port}, worker_processes="auto",
            error_log_level="warn", gateway_secret=gateway_secret))
        cert = pki.cert("magistrat")
        me = _connection(Way(True, gateway.port, "/", {}, cert, pki.server_ca))
        me.request("GET", "/api/identity/v1/accounts/me")
        answer = me.getresponse()
        account = json.loads(answer.read())
        me.close()
        if answer.status != 200:
            raise RuntimeError(f"the demo magistrat is not authenticated through the gateway: {account}")
        magistrat = pki.identity("magistrat")
        targets = [
            Target("whoami (echo service, no I/O)", "/api/benchecho/v1/whoami", echo_port, "/v1/whoami"),
            Target("accounts/me (identity, DB read + audit row)", "/api/identity/v1/accounts/me", identity_port,
                   "/v1/accounts/me"),
        ][: 1 if args.primary_only else 2]
        results = []
        for target in targets:
            log(f"target {target.name}")
            token = signer.sign(account_id=account["id"], profile="magistrat", cfp=magistrat["fingerprint_sha256"],
                                csn=magistrat["serial_hex"], ip="127.0.0.1", lifetime=300)
            ways = {
                "direct": Way(False, target.direct_port, target.direct_path, {"X-Scelle-Principal": token}),
                "gateway": Way(True, gateway.port, target.gateway_path, {}, cert, pki.server_ca),
            }
            for name, way in ways.items():  # warm-up: connections, caches, the auth cache entry
                throughput(way, 1, 2, 1.0, Measure())
            lat = {name: Measure() for name in ways}
            put = {name: Measure() for name in ways}
            ratios = []
            for round_ in range(args.rounds):
                log(f"  round {round_ + 1}/{args.rounds}: latency, then throughput")
                for name, way in ways.items():
                    latency(way, args.latency_requests, lat[name])
                rates = {}
                for name, way in ways.items():
                    one = Measure()
                    if args.tool == "ab":
                        throughput_ab(way, args.concurrency, args.duration, one, work)
                    else:
                        throughput(way, args.clients, args.connections, args.duration, one)
                    rates[name] = one.requests / one.seconds
                    put[name].add(one.latencies or [], one.seconds, one.errors)
                    put[name].requests += one.requests - len(one.latencies or [])
                ratios.append(rates["gateway"] / rates["direct"])
                # The token must outlive the run: re-sign it every round (tokens live 5 minutes).
                ways["direct"] = Way(False, target.direct_port, target.direct_path, {"X-Scelle-Principal": signer.sign(
                    account_id=account["id"], profile="magistrat", cfp=magistrat["fingerprint_sha256"],
                    csn=magistrat["serial_hex"], ip="127.0.0.1", lifetime=300)})
            results.append({"target": target.name,
                            "latency": {name: measure.summary() for name, measure in lat.items()},
                            "throughput": {name: measure.summary() for name, measure in put.items()},
                            "round_ratios": [round(ratio, 3) for ratio in ratios]})
        auth_log = [entry for entry in gateway.access_log() if entry["path"].startswith("/api/")]
        asked = sum(1 for entry in auth_log if entry["auth_status"])
        cache: dict[str, int] = {}
        for entry in auth_log:
            cache[entry["auth_cache"] or "-"] = cache.get(entry["auth_cache"] or "-", 0) + 1
        results_meta = {"gateway_requests": len(auth_log), "identity_asked": asked, "auth_cache": cache}
    return {"targets": results, **results_meta}


def verdicts(result: dict[str, Any]) -> dict[str, Any]:
    lat, put = result["latency"], result["throughput"]
    added = lat["gateway"]["p50_ms"] - lat["direct"]["p50_ms"]
    ratio = statistics.median(result["round_ratios"])
    errors = sum(m["errors"] for phase in (lat, put) for m in phase.values())
    return {
        "added_p50_ms": round(added, 3),
        "added_p50_pass": added < ADDED_P50_TARGET_MS and errors == 0,
        "throughput_ratio": round(ratio, 3),
        "throughput_pass": ratio >= THROUGHPUT_RATIO_TARGET and errors == 0,
    }


def print_report(config: dict[str, Any], outcome: dict[str, Any]) -> None:
    print("Gateway benchmark: authenticated GET through nginx (mTLS + auth_request + proxy) vs straight to the service")
    print(f"  machine: {config['cpus']} CPUs, idle {config['cpu_idle_before']:.0%} just before the run; nginx "
          f"{config['nginx']}, Python {config['python']}")
    if config["cpu_idle_before"] < 0.8:
        print("  WARNING: the machine was busy; figures will be low and noisy")
    load = (f"ab, {config['concurrency']} keep-alive connections" if config["tool"] == "ab" else
            f"Python, {config['clients']} processes x {config['connections']} connections")
    print(f"  load: latency {config['latency_requests']} sequential requests x {config['rounds']} rounds; throughput "
          f"{load}, {config['duration']}s x {config['rounds']} rounds per path")
    for result in outcome["targets"]:
        print(f"\n  {result['target']}")
        print(f"    {'phase':12} {'path':8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>6}")
        for phase in ("latency", "throughput"):
            for path in ("direct", "gateway"):
                m = result[phase][path]
                print(f"    {phase:12} {path:8} {m['req_per_s']:>9.1f} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f} "
                      f"{m['requests']:>9} {m['errors']:>6}")
        v = result["verdict"]
        print(f"    added p50 (sequential): {v['added_p50_ms']:.2f} ms   target < {ADDED_P50_TARGET_MS} ms   "
              f"{'PASS' if v['added_p50_pass'] else 'FAIL'}")
        rounds = ", ".join(f"{ratio:.0%}" for ratio in result["round_ratios"])
        print(f"    throughput gateway/direct: {v['throughput_ratio']:.0%} (median of rounds: {rounds})   "
              f"target >= {THROUGHPUT_RATIO_TARGET:.0%}   {'PASS' if v['throughput_pass'] else 'FAIL'}")
    print(f"\n  identity was asked {outcome['identity_asked']} times for {outcome['gateway_requests']} gateway "
          f"requests (auth cache: {', '.join(f'{k} {v}' for k, v in sorted(outcome['auth_cache'].items()))})")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=4, help="seconds per throughput round and path")
    parser.add_argument("--rounds", type=int, default=5, help="alternations direct/gateway per phase")
    parser.add_argument("--tool", choices=("ab", "python"), default="ab" if shutil.which("ab") else "python",
                        help="throughput load generator (default: ab when installed)")
    parser.add_argument("--concurrency", type=int, default=8, help="ab: concurrent keep-alive connections")
    parser.add_argument("--clients", type=int, default=2, help="python: client processes")
    parser.add_argument("--connections", type=int, default=4, help="python: connections (threads) per process")
    parser.add_argument("--latency-requests", type=int, default=1000, help="sequential requests per round and path")
    parser.add_argument("--primary-only", action="store_true", help="only the echo route (skip accounts/me)")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("SCELLE_TEST_POSTGRES_URL",
                                               "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
                        help="a server URL where databases may be created ($SCELLE_TEST_POSTGRES_URL)")
    parser.add_argument("--broker-url",
                        default=os.environ.get("SCELLE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
                        help="AMQP URL identity's settings need ($SCELLE_TEST_RABBITMQ_URL); nothing is published")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    if min(args.duration, args.rounds, args.clients, args.connections, args.concurrency, args.latency_requests) <= 0:
        parser.error("counts and durations must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    idle = cpu_idle_fraction()
    work = Path(tempfile.mkdtemp(prefix="scelle-gateway-bench-"))
    work.chmod(0o755)
    database = f"bench_gateway_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    created = False
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        created = True
        database_url = make_url(args.postgres_url).set(database=database).render_as_string(hide_password=False)
        log(f"database {database}: identity's migrations")
        config = Config()
        config.set_main_option("script_location", str(IDENTITY / "migrations"))
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
        command.upgrade(config, "head")
        outcome = run(args, work, database_url)
    finally:
        log("cleaning up")
        if created:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(work, ignore_errors=True)
    for result in outcome["targets"]:
        result["verdict"] = verdicts(result)
    nginx_version = subprocess.run([NGINX, "-v"], capture_output=True, text=True, check=False).stderr.strip()
    config_out = {"cpus": os.cpu_count(), "cpu_idle_before": round(idle, 3), "python": platform.python_version(),
                  "nginx": nginx_version.rsplit("/", 1)[-1], **{k: getattr(args, k) for k in (
                      "duration", "rounds", "tool", "concurrency", "clients", "connections", "latency_requests")}}
    if args.json:
        target_values = {"added_p50_ms": ADDED_P50_TARGET_MS, "throughput_ratio": THROUGHPUT_RATIO_TARGET}
        print(json.dumps({"config": config_out, **outcome, "target_values": target_values}, indent=2,
                         ensure_ascii=False))
    else:
        print_report(config_out, outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
