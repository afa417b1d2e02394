"""A private RabbitMQ node for fault drills: its own name, ports and data directory.

Drills stop and restart it freely; the shared broker other tests (and CI after
us) use is never touched. It needs the ``rabbitmq-server`` Debian package on
this machine, which ``./scelle test`` installs when missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from scelle_common.testing.servers import ServersUnavailable, free_port


class PrivateRabbitMQ:
    """One throwaway RabbitMQ node on 127.0.0.1; data survives :meth:`stop`/:meth:`start`."""

    def __init__(self) -> None:
        if shutil.which("rabbitmq-server") is None or shutil.which("rabbitmqctl") is None:
            raise ServersUnavailable(
                "fault drills need a private RabbitMQ node: install the Debian package rabbitmq-server"
            )
        self.node = f"scelle-drill-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self._dist_port = free_port()
        self._dir = Path(tempfile.mkdtemp(prefix="scelle-rabbit-"))
        (self._dir / "enabled_plugins").write_text("[].\n")
        self._give_to_rabbitmq_user(self._dir)

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def start(self, timeout: float = 60.0) -> None:
        """Start the node and wait until it accepts AMQP connections."""
        subprocess.run(["rabbitmq-server", "-detached"], env=self._environment(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                ["rabbitmqctl", "-n", self.node, "-q", "await_startup", "--timeout", "2"],
                env=self._environment(), capture_output=True,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.3)
        raise TimeoutError(f"private RabbitMQ {self.node} did not start in {timeout}s")

    def stop(self) -> None:
        """Stop the node (its queues and messages stay on disk for the next start)."""
        subprocess.run(["rabbitmqctl", "-n", self.node, "-q", "stop"], env=self._environment(),
                       capture_output=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self._running():
            time.sleep(0.2)

    def destroy(self) -> None:
        """Stop the node and delete its data."""
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _running(self) -> bool:
        try:
            os.kill(int((self._dir / "node.pid").read_text().strip()), 0)
        except (OSError, ValueError):
            return False
        return True

    def _environment(self) -> dict[str, str]:
        return os.environ | {
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self._dist_port),
            "RABBITMQ_MNESIA_BASE": str(self._dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self._dir / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self._dir / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self._dir / "rabbitmq"),
            "RABBITMQ_PID_FILE": str(self._dir / "node.pid"),
        }

    @staticmethod
    def _give_to_rabbitmq_user(directory: Path) -> None:
        # Debian's wrapper runs the node as the rabbitmq user when started by root.
        if os.geteuid() == 0:
            shutil.chown(directory, "rabbitmq", "rabbitmq")
            shutil.chown(directory / "enabled_plugins", "rabbitmq", "rabbitmq")
            directory.chmod(0o755)
