"""A private instance of the local stack, as real processes, for the end-to-end and fault suites.

:class:`Platform` runs what ``./scelle up`` runs (``deploy/local/stack.sh``: ``write_env_file``,
``write_procfile``, ``migrate_databases``, ``seed_demo_data``), for the services of
``deploy/local/services.txt`` — read here, so that a new line is picked up — but on free ports, in
a temporary directory, against the servers it is given:

* per service (by the ``uses`` of its line): ``scelle-<name> migrate`` on its own database, the
  gunicorn API (one worker), ``scelle-<name> relay``, ``scelle-<name> consume``, ``send-mail``,
  ``seed-demo``, the receipt key (``keys init``), the dev keys (``deploy/local/devkeys.py``), the
  dev PKI and gateway secret, the S3 and SMTP variables, the portal's backend URLs;
* the real nginx gateway (``tests/e2e/harness.py`` :class:`GatewayProcess`) with the vault's
  download offload to the object store, like the local stack. (The local stack's CRL watcher is
  not run: a test's PKI is minutes old, far from any CRL's nextUpdate.)

Every process is ``Popen``'d in a session of its own with its output in ``<workdir>/logs/<name>.log``;
when one dies or a wait times out, the error carries the tail of its log.

API (kept small for ``tests/faults``)::

    platform = Platform(workdir, pki=dev_pki(...), database_urls={"identity": url, ...},
                        broker_url=..., events_exchange=..., queue_prefix=...,
                        s3=S3Endpoint(...), smtp_host="127.0.0.1", smtp_port=2525)
    platform.start()                  # keys, migrations, seed, processes, gateway; waits until ready
    platform.process("documents-consumer").kill()    # SIGKILL to its whole process group
    platform.process("documents-consumer").start()   # the same command and environment again
    platform.wait_ready()             # every API's /readyz is 200, every consumer's queues exist
    platform.problems()               # the warnings and errors the processes logged, to explain a failure
    platform.url("/api/expertise/v1/expertises")     # through the gateway (https://localhost:<port>)
    platform.cli("notification", "digest")           # a service CLI with that service's environment
    platform.stop()

Process names are those of the local stack's Procfile: ``<service>-api``, ``<service>-relay``,
``<service>-consumer``, ``<service>-sender``; the gateway is ``platform.gateway``.
:func:`running_platform` builds one from the test fixtures (a database per service from
``database_factory``, a private bus namespace) and cleans up after it; any constructor argument
may be overridden, e.g. ``database_urls={"documents": private_cluster_url}``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pika.exceptions
import requests

from scelle_common.messaging import connect
from scelle_common.testing.plugin import BusNamespace, DatabaseFactory
from scelle_common.testing.servers import S3Endpoint
from tests.e2e.harness import ROOT, GatewayProcess, Pki, _load

SERVICES_FILE = ROOT / "deploy" / "local" / "services.txt"
BIN = Path(sys.executable).parent
devkeys = _load("scelle_local_devkeys", ROOT / "deploy" / "local" / "devkeys.py")

# stack.sh's defaults: gunicorn's own 30 s, an hour for services streaming large bodies.
REQUEST_TIMEOUT = 30
LONG_REQUEST_TIMEOUT = 3600
LOG_TAIL_LINES = 40
# A warning or an error in a service's JSON log, or in gunicorn's.
_PROBLEM = re.compile(r'"level": "(?:warning|error|critical)"|\[(?:ERROR|CRITICAL)\]')


@dataclass(frozen=True)
class ServiceLine:
    """One line of ``deploy/local/services.txt``."""

    name: str
    port: int
    uses: frozenset[str]

    @property
    def prefix(self) -> str:
        return self.name.upper()


def read_services(path: Path = SERVICES_FILE) -> list[ServiceLine]:
    """The table's services whose package exists (``load_services`` leaves the others out)."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        name, port, *uses = raw.split()
        if (ROOT / "services" / name / "pyproject.toml").is_file():
            lines.append(ServiceLine(name, int(port), frozenset(uses)))
    return lines


def consumer_purposes(service: str) -> list[str]:
    """The purposes ``scelle-<service> consume`` serves, one queue ``<prefix><service>.<purpose>`` each."""
    return sorted(importlib.import_module(f"scelle_{service}.entrypoints.consumer").CONSUMERS)


def listening_port() -> int:
    """A port free on 127.0.0.1, below the kernel's ephemeral range.

    The APIs and the gateway bind their ports seconds after they are chosen; a port from the
    ephemeral range (what binding port 0 gives) may meanwhile become the local end of one of the
    many client connections to PostgreSQL and RabbitMQ made here.
    """
    first_ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    while True:
        port = random.randrange(10_000, first_ephemeral)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


class PlatformError(RuntimeError):
    """A process of the platform died, failed, or did not become ready in time."""


class PlatformProcess:
    """One long-running process of the platform, restartable after a kill."""

    def __init__(self, name: str, command: Sequence[str], env: Mapping[str, str], log_path: Path) -> None:
        self.name = name
        self.command = list(command)
        self.env = dict(env)
        self.log_path = log_path
        self._popen: subprocess.Popen[bytes] | None = None

    def start(self) -> PlatformProcess:
        if self.running:
            raise PlatformError(f"{self.name} already runs (pid {self.pid})")
        with open(self.log_path, "ab") as log:
            log.write(f"--- started: {' '.join(self.command)}\n".encode())
            log.flush()
            # A session of its own: kill() and stop() reach gunicorn's workers too.
            self._popen = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdin=subprocess.DEVNULL,
                                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen is not None else None

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    def kill(self) -> None:
        """SIGKILL the process and everything in its session, as a crash would; waits for it."""
        self._signal_group(signal.SIGKILL)
        if self._popen is not None:
            self._popen.wait(timeout=30)

    def terminate(self) -> None:
        """SIGTERM to its session: a clean shutdown begins; see :meth:`stop`."""
        self._signal_group(signal.SIGTERM)

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM (a clean shutdown), then SIGKILL whatever is left after ``timeout``."""
        if self._popen is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self._popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        self._signal_group(signal.SIGKILL)
        self._popen.wait(timeout=30)

    def _signal_group(self, signum: signal.Signals) -> None:
        if self._popen is None:
            return
        # The group outlives its leader when gunicorn's workers linger; signal it even then.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._popen.pid, signum)

    def tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return log_tail(self.log_path, lines)

    def describe_death(self) -> str:
        return f"{self.name} exited with {self.returncode}; the end of {self.log_path}:\n{self.tail()}"


class Platform:
    """The whole platform of ``services.txt``, private to one test module (see the module docstring).

    ``database_urls``: a SQLAlchemy URL per service whose line says ``migrate``; the databases
    may be empty, :meth:`start` migrates them. ``events_exchange``/``queue_prefix`` go into every
    service's ``<NAME>_EVENTS_EXCHANGE``/``<NAME>_QUEUE_PREFIX``.
    """

    def __init__(self, workdir: Path, *, pki: Pki, database_urls: Mapping[str, str], broker_url: str,
                 events_exchange: str, queue_prefix: str, s3: S3Endpoint, smtp_host: str, smtp_port: int,
                 services_file: Path = SERVICES_FILE, log_level: str = "INFO") -> None:
        self.workdir = workdir
        self.pki = pki
        self.broker_url = broker_url
        self.events_exchange = events_exchange
        self.queue_prefix = queue_prefix
        self.s3 = s3
        self.smtp_host, self.smtp_port = smtp_host, smtp_port
        self.log_level = log_level
        self.services = read_services(services_file)
        missing = [line.name for line in self.services if "migrate" in line.uses and line.name not in database_urls]
        if missing:
            raise PlatformError(f"no database URL for {', '.join(missing)}")
        self.database_urls = dict(database_urls)
        self.keys_dir = workdir / "keys"
        self.logs_dir = workdir / "logs"
        # Free ports instead of the table's: a developer's ./scelle up may run on this machine.
        self.ports = {line.name: listening_port() for line in self.services if "api" in line.uses}
        self.gateway_secret_file = self.keys_dir / "gateway-secret"
        self.gateway = GatewayProcess(pki, self.ports, gateway_secret=secrets.token_urlsafe(32),
                                      object_store=urlsplit(s3.url).netloc, max_body_size="1g",
                                      log_dir=self.logs_dir)
        self.gateway.port = listening_port()
        self.gateway.config.listen = f"127.0.0.1:{self.gateway.port}"
        self._processes: dict[str, PlatformProcess] = {}

    # -- what runs -------------------------------------------------------------------------------

    def service(self, name: str) -> ServiceLine:
        for line in self.services:
            if line.name == name:
                return line
        raise KeyError(name)

    def env(self, name: str) -> dict[str, str]:
        """The environment of service ``name``'s processes (os.environ plus write_env_file's lines)."""
        line = self.service(name)
        prefix = line.prefix
        env = {
            f"{prefix}_BROKER_URL": self.broker_url,
            f"{prefix}_EVENTS_EXCHANGE": self.events_exchange,
            f"{prefix}_QUEUE_PREFIX": self.queue_prefix,
            f"{prefix}_JWKS_FILE": str(self.keys_dir / devkeys.PUBLIC_NAME),
            f"{prefix}_LOG_LEVEL": self.log_level,
        }
        if "migrate" in line.uses:
            env[f"{prefix}_DATABASE_URL"] = self.database_urls[name]
        if "s3" in line.uses:
            env |= {
                f"{prefix}_S3_ENDPOINT_URL": self.s3.url,
                f"{prefix}_S3_ACCESS_KEY": self.s3.access_key,
                f"{prefix}_S3_SECRET_KEY": self.s3.secret_key,
                f"{prefix}_S3_REGION": self.s3.region,
                f"{prefix}_DOWNLOAD_OFFLOAD_LOCATION": "/_scelle/s3/",
            }
        if "smtp" in line.uses:
            env |= {f"{prefix}_SMTP_HOST": self.smtp_host, f"{prefix}_SMTP_PORT": str(self.smtp_port)}
        if "receipt-key" in line.uses:
            env[f"{prefix}_RECEIPT_KEY_FILE"] = str(self._receipt_key_file(name))
        if "signing-key" in line.uses:
            env[f"{prefix}_SIGNING_KEY_FILE"] = str(self.keys_dir / devkeys.PRIVATE_NAME)
        if "backends" in line.uses:
            env |= {f"{prefix}_{other.upper()}_URL": self.api_url(other) for other in self.ports if other != name}
        if "pki" in line.uses:
            env |= {
                f"{prefix}_TRUSTED_ISSUERS_DIR": str(self.pki.cas_dir),
                f"{prefix}_SOFTWARE_CA_CERT_FILE": str(self.pki.cas_dir / "scelle" / "root" / "cert.pem"),
                f"{prefix}_SOFTWARE_CA_KEY_FILE": str(self.pki.cas_dir / "scelle" / "root" / "key.pem"),
                f"{prefix}_PUBLIC_URL": self.url(""),
                f"{prefix}_GATEWAY_SECRET_FILE": str(self.gateway_secret_file),
            }
        return os.environ | {"PYTHONUNBUFFERED": "1"} | env

    def _receipt_key_file(self, name: str) -> Path:
        return self.keys_dir / f"{name}-receipt.jwk.json"

    def commands(self, line: ServiceLine) -> dict[str, list[str]]:
        """write_procfile's lines for one service: process name → command."""
        commands: dict[str, list[str]] = {}
        if "api" in line.uses:
            timeout = LONG_REQUEST_TIMEOUT if "long-requests" in line.uses else REQUEST_TIMEOUT
            commands[f"{line.name}-api"] = [
                str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{self.ports[line.name]}",
                "--timeout", str(timeout), "--graceful-timeout", "5", "--access-logfile", "-",
                "--no-control-socket", f"scelle_{line.name}.entrypoints.wsgi:app",
            ]
        script = str(BIN / f"scelle-{line.name}")
        if "relay" in line.uses:
            commands[f"{line.name}-relay"] = [script, "relay"]
        if "consumer" in line.uses:
            commands[f"{line.name}-consumer"] = [script, "consume"]
        if "sender" in line.uses:
            commands[f"{line.name}-sender"] = [script, "send-mail"]
        return commands

    def process(self, name: str) -> PlatformProcess:
        """A process by its Procfile name (``documents-api``, ``notification-sender``...)."""
        try:
            return self._processes[name]
        except KeyError:
            raise KeyError(f"no process {name!r}; there are {', '.join(self._processes)}") from None

    @property
    def processes(self) -> list[PlatformProcess]:
        return list(self._processes.values())

    def queues(self) -> list[tuple[str, str]]:
        """(service, purpose) of every queue the consumers declare."""
        return [(line.name, purpose) for line in self.services if "consumer" in line.uses
                for purpose in consumer_purposes(line.name)]

    # -- addresses -------------------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        """An address through the gateway (``localhost`` is on the dev server certificate)."""
        return self.gateway.url(path)

    def api_url(self, name: str, path: str = "") -> str:
        """An API's own address, behind the gateway's back (operational routes)."""
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    # -- running ---------------------------------------------------------------------------------

    def start(self, timeout: float = 120) -> Platform:
        """Prepare keys, databases and demo data, start every process and the gateway, wait until ready."""
        self.keys_dir.mkdir(parents=True, exist_ok=True)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        devkeys.main(self.keys_dir)
        if not self.gateway_secret_file.exists():
            self.gateway_secret_file.write_text(self.gateway.config.gateway_secret, encoding="utf-8")
            self.gateway_secret_file.chmod(0o600)
        # Side by side, in rounds: each command is a slow Python start-up, and only two orders
        # matter: a service reads its receipt key to start at all, seed-demo needs the schema.
        keyed = {line.name for line in self.services if "receipt-key" in line.uses}
        keys = [(name, ("keys", "init", str(self._receipt_key_file(name))), f"keys-{name}") for name in keyed]
        migrations = [(line.name, ("migrate",), f"migrate-{line.name}") for line in self.services
                      if "migrate" in line.uses]
        seeds = [(line.name, ("seed-demo", "--manifest", str(self.pki.out / "manifest.json")), f"seed-{line.name}")
                 for line in self.services if "seed" in line.uses]
        self._run_together(keys + [run for run in migrations if run[0] not in keyed])
        self._run_together([run for run in migrations if run[0] in keyed] + [run for run in seeds if run[0] not in keyed])
        self._run_together([run for run in seeds if run[0] in keyed])
        for line in self.services:
            env = self.env(line.name)
            for name, command in self.commands(line).items():
                self._processes[name] = PlatformProcess(name, command, env, self.logs_dir / f"{name}.log")
        # Consumers first, until their queues exist: the relays publish the demo data's events
        # (accounts...) at once, and an event no queue is bound to yet is lost to its subscribers.
        consumers = [process for name, process in self._processes.items() if name.endswith("-consumer")]
        for process in consumers:
            process.start()
        deadline = time.monotonic() + timeout
        while missing := self._missing_queues():
            self.check_alive(consumers)
            if time.monotonic() > deadline:
                raise PlatformError("queues not declared in time:\n" + "\n\n".join(
                    f"{queue}\n{self.process(f'{service}-consumer').tail()}" for service, queue in missing))
            time.sleep(0.3)
        for process in self._processes.values():
            if not process.running:
                process.start()
        self.gateway.start()
        self.wait_ready(max(deadline - time.monotonic(), 1))
        return self

    def _run_together(self, runs: Sequence[tuple[str, Sequence[str], str]], timeout: float = 120) -> None:
        """Run one-shot ``scelle-<service> ARGS`` commands at once, output in ``logs/<log name>.log``."""
        started = []
        for service, args, log_name in runs:
            log_path = self.logs_dir / f"{log_name}.log"
            with open(log_path, "wb") as log:
                started.append((subprocess.Popen([str(BIN / f"scelle-{service}"), *args], env=self.env(service),
                                                 cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                                 stderr=subprocess.STDOUT), log_path))
        deadline = time.monotonic() + timeout
        failures = []
        for popen, log_path in started:
            try:
                popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
            if popen.returncode != 0:
                failures.append(f"{' '.join(map(str, popen.args))} exited with {popen.returncode}; "
                                f"the end of {log_path}:\n{log_tail(log_path)}")
        if failures:
            raise PlatformError("\n\n".join(failures))

    def cli(self, name: str, *args: str, timeout: float = 120,
            env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``scelle-<name> ARGS`` with that service's environment (plus ``env``); raise with its
        output if it fails."""
        command = [str(BIN / f"scelle-{name}"), *args]
        result = subprocess.run(command, env=self.env(name) | dict(env or {}), cwd=ROOT, capture_output=True,
                                text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise PlatformError(f"{' '.join(command)} exited with {result.returncode}:\n"
                                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        return result

    def wait_ready(self, timeout: float = 120) -> None:
        """Until every API's /readyz answers 200, every consumer queue exists and the gateway answers.

        Raises :class:`PlatformError` with the dying process's log as soon as one exits, or with
        what is still not ready when ``timeout`` passes.
        """
        deadline = time.monotonic() + timeout
        waiting = self._not_ready()
        while waiting:
            self.check_alive()
            if time.monotonic() > deadline:
                details = "\n\n".join(f"{what}\n{tail}" for what, tail in waiting.items())
                raise PlatformError(f"not ready after {timeout:.0f} s:\n{details}")
            time.sleep(0.3)
            waiting = self._not_ready()

    def check_alive(self, processes: Sequence[PlatformProcess] | None = None) -> None:
        """Raise with the log of the first process (of ``processes``, default all and the gateway)
        that is not running."""
        for process in self._processes.values() if processes is None else processes:
            if not process.running:
                raise PlatformError(process.describe_death())
        if processes is None and (self.gateway.process is None or self.gateway.process.poll() is not None):
            raise PlatformError(f"the gateway is not running: {self.gateway.output()}")

    def problems(self, lines: int = 10) -> str:
        """The last warnings and errors each process logged: what a test says when a wait times out."""
        found = []
        for process in self._processes.values():
            text = process.log_path.read_text(encoding="utf-8", errors="replace") if process.log_path.exists() else ""
            flagged = [line[:500] for line in text.splitlines() if _PROBLEM.search(line)]
            if flagged:
                found.append(f"{process.name} ({process.log_path}):\n" + "\n".join(flagged[-lines:]))
        return "\n\n".join(found) or "(no process logged a warning or an error)"

    def _not_ready(self) -> dict[str, str]:
        """What is not ready yet → the end of the log that may say why."""
        waiting: dict[str, str] = {}
        for name in self.ports:
            try:
                response = requests.get(self.api_url(name, "/readyz"), timeout=2)
                ready = response.status_code == 200
            except requests.RequestException:
                ready = False
            if not ready:
                waiting[f"{name}-api: /readyz"] = self.process(f"{name}-api").tail()
        missing_queues = self._missing_queues()
        for service, queue in missing_queues:
            waiting[f"{service}-consumer: queue {queue}"] = self.process(f"{service}-consumer").tail()
        if not self._gateway_answers():
            waiting["gateway: a demo certificate through to identity"] = log_tail(self.logs_dir / "gateway-error.log")
        return waiting

    def _missing_queues(self) -> list[tuple[str, str]]:
        """The consumers' queues not declared yet: an event published before would reach no one."""
        expected = [(service, self.queue_prefix + f"{service}.{purpose}") for service, purpose in self.queues()]
        try:
            connection = connect(self.broker_url, name="platform-readiness")
        except pika.exceptions.AMQPError:
            return expected
        missing = []
        try:
            for service, queue in expected:
                channel = connection.channel()
                try:
                    channel.queue_declare(queue, passive=True)
                    channel.close()
                except pika.exceptions.ChannelClosedByBroker:  # 404: not declared yet
                    missing.append((service, queue))
        finally:
            connection.close()
        return missing

    def _gateway_answers(self) -> bool:
        """The gateway accepts a demo certificate and reaches identity."""
        try:
            response = requests.get(self.url("/api/identity/v1/accounts/me"), cert=self.pki.cert(self.demo_user()),
                                    verify=self.pki.server_ca, timeout=5)
        except requests.RequestException:
            return False
        return response.status_code == 200

    def demo_user(self) -> str:
        """A demo identity of the dev PKI with a valid certificate and an account (after seed-demo)."""
        for entry in self.pki.manifest["identities"]:
            if entry["status"] == "valid":
                return str(entry["name"])
        raise PlatformError("the dev PKI's manifest names no registered identity")

    def stop(self, timeout: float = 10) -> None:
        """Stop the gateway and every process (SIGTERM to all, SIGKILL what is left after ``timeout``)."""
        self.gateway.stop()
        for process in self._processes.values():
            process.terminate()
        deadline = time.monotonic() + timeout
        for process in self._processes.values():
            process.stop(timeout=max(deadline - time.monotonic(), 0.1))


@contextlib.contextmanager
def running_platform(workdir: Path, *, pki: Pki, database_factory: DatabaseFactory, broker_url: str,
                     s3: S3Endpoint, smtp_host: str, smtp_port: int, bus: BusNamespace | None = None,
                     **overrides: Any) -> Iterator[Platform]:
    """A started :class:`Platform` on fresh databases and a private bus namespace; everything removed after.

    ``bus``: the namespace to use (on ``broker_url``), e.g. one where a test bound its own queue
    before the start; the platform's queues are registered with it and its owner cleans it. By
    default a new one, cleaned here. ``overrides`` replaces any :class:`Platform` argument;
    ``database_urls`` may name only some services (the others get a fresh database from
    ``database_factory``).
    """
    own_bus = bus is None
    bus = bus or BusNamespace(broker_url)
    given_urls = overrides.pop("database_urls", {})
    database_urls = {line.name: given_urls.get(line.name) or database_factory(hint=f"platform_{line.name}")
                     for line in read_services(overrides.get("services_file", SERVICES_FILE))
                     if "migrate" in line.uses}
    platform = Platform(workdir, pki=pki, database_urls=database_urls, broker_url=broker_url,
                        events_exchange=bus.topology.exchange, queue_prefix=bus.topology.queue_prefix,
                        s3=s3, smtp_host=smtp_host, smtp_port=smtp_port, **overrides)
    for service, purpose in platform.queues():
        bus.queue(service, purpose)
    try:
        platform.start()
        yield platform
    finally:
        platform.stop()
        if own_bus:
            bus.clean()
