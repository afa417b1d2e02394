"""A private SeaweedFS a fault drill may stop and restart (never the shared test S3 server)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

from scelle_common.testing.servers import free_port

ACCESS_KEY, SECRET_KEY = "drill", "drill-secret"


class PrivateSeaweed:
    """``weed mini`` on ten free loopback ports with its own data directory."""

    def __init__(self) -> None:
        weed = Path(sys.executable).with_name("weed")
        if not weed.exists():
            weed = Path(shutil.which("weed") or "weed")
        self._weed = weed
        self.dir = Path(tempfile.mkdtemp(prefix="scelle-drill-s3."))
        self.ports = [free_port() for _ in range(10)]
        (self.dir / "s3.json").write_text(json.dumps({"identities": [{
            "name": "drill", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}"

    def start(self) -> PrivateSeaweed:
        p = self.ports
        command = [str(self._weed), "mini", f"-dir={self.dir}/data", f"-s3.config={self.dir}/s3.json",
                   "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false", "-webdav=false",
                   "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
                   f"-s3.port={p[0]}", f"-master.port={p[1]}", f"-volume.port={p[2]}", f"-filer.port={p[3]}",
                   f"-admin.port={p[4]}", f"-s3.port.grpc={p[5]}", f"-master.port.grpc={p[6]}",
                   f"-volume.port.grpc={p[7]}", f"-filer.port.grpc={p[8]}", f"-admin.port.grpc={p[9]}",
                   f"-filer.localSocket={self.dir}/filer.sock", f"-s3.localSocket={self.dir}/s3.sock"]
        (self.dir / "data").mkdir(exist_ok=True)
        with (self.dir / "weed.log").open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        client = self.client()
        deadline = time.monotonic() + 60
        while True:
            try:
                client.list_buckets()
                return self
            except Exception:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise RuntimeError("the drill's SeaweedFS did not start: "
                                       + (self.dir / "weed.log").read_text()[-2000:]) from None
                time.sleep(0.3)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(10)
        self._process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self):  # noqa: ANN201 - a boto3 client
        return boto3.session.Session().client(
            "s3", endpoint_url=self.url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                                                   connect_timeout=2, read_timeout=10))
