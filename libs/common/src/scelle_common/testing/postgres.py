"""A private PostgreSQL cluster for fault drills: its own data directory, port and socket directory.

Drills stop and restart it freely while the shared server other tests (and CI after us) use is
never touched. It needs Debian's PostgreSQL binaries (``/usr/lib/postgresql/<major>/bin``),
which ``./scelle test`` installs with the server. PostgreSQL refuses to run as root, so when the
tests run as root every command runs as the ``postgres`` user and the directory is given to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from scelle_common.testing.servers import ServersUnavailable, free_port

_BINARIES = Path("/usr/lib/postgresql")


def _newest_bin_dir() -> Path:
    majors = sorted((path.parent for path in _BINARIES.glob("*/bin/pg_ctl")),
                    key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0)
    if not majors:
        raise ServersUnavailable(
            "fault drills need a private PostgreSQL cluster: install the Debian package postgresql "
            f"(no {_BINARIES}/<major>/bin/pg_ctl here)"
        )
    return majors[-1]


def migrate(url: str, migrations_dir: Path) -> None:
    """Bring the database at ``url`` to the head of the Alembic history in ``migrations_dir``."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


class PrivatePostgres:
    """One throwaway cluster on 127.0.0.1 with trust authentication; data survives :meth:`stop`/:meth:`start`."""

    user = "postgres"

    def __init__(self) -> None:
        self._bin = _newest_bin_dir()
        self.port = free_port()
        self._dir = Path(tempfile.mkdtemp(prefix="scelle-postgres-"))
        self._data = self._dir / "data"
        self._log = self._dir / "server.log"
        if os.geteuid() == 0:
            shutil.chown(self._dir, "postgres", "postgres")

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL to ``database`` on this cluster (psycopg 3, like the services)."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: int = 60) -> None:
        """Start the cluster (creating it on the first call) and wait until it accepts connections."""
        if not (self._data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self._data), "-U", self.user, "-A", "trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync")
        # fsync off: the cluster dies with the test; a clean stop still writes everything out.
        options = (f"-p {self.port} -k {self._dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self._data), "-l", str(self._log), "-w", "-t", str(timeout),
                  "-o", options, "start")

    def stop(self) -> None:
        """Stop the cluster, disconnecting its clients (``fast`` mode); its data stays for the next start."""
        if self.running():
            self._run("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "-t", "60", "stop")

    def running(self) -> bool:
        status = subprocess.run(self._as_postgres("pg_ctl", "-D", str(self._data), "status"), capture_output=True)
        return status.returncode == 0

    def destroy(self) -> None:
        """Stop the cluster at once and delete its data."""
        if self.running():
            self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "-t", "60", "stop")
        shutil.rmtree(self._dir, ignore_errors=True)

    def create_database(self, name: str, migrations_dir: Path | None = None) -> str:
        """Create database ``name`` (built by that Alembic history if given) and return its URL."""
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        if migrations_dir is not None:
            migrate(self.url(name), migrations_dir)
        return self.url(name)

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(self._as_postgres(program, *args), capture_output=True, text=True)
        if result.returncode != 0:
            log = self._log.read_text(errors="replace")[-2000:] if self._log.exists() else ""
            raise RuntimeError(f"{program} failed ({result.returncode}): "
                               f"{result.stderr.strip() or result.stdout.strip()}\n{log}")

    def _as_postgres(self, program: str, *args: str) -> list[str]:
        command = [str(self._bin / program), *args]
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return command
