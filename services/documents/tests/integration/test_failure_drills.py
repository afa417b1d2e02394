"""Fault drills: a client cut mid-upload (real gunicorn) and S3 stopped mid-upload (a private
SeaweedFS): no document row, no multipart upload left once the sweeper ran, a clear 503."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from scelle_common.testing.servers import free_port
from scelle_documents.bootstrap import build_blob_store
from scelle_documents.entrypoints.flask_app import create_app
from scelle_documents.service_layer.sweeper import sweep

from .conftest import Case, problem
from .private_s3 import ACCESS_KEY, SECRET_KEY, PrivateSeaweed

MIB = 1024 * 1024


def document_count(database_url: str, folder_id: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM documents WHERE folder_id = :f"),
                                          {"f": folder_id}).scalar_one())
    finally:
        engine.dispose()


def pending_uploads(client: Any, bucket: str) -> list[dict[str, Any]]:
    return client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])


@pytest.fixture
def gunicorn_api(settings) -> Iterator[str]:  # noqa: ANN001
    """The API under gunicorn sync workers, as the local stack runs it."""
    port = free_port()
    environment = dict(os.environ)
    for name, value in settings.model_dump().items():
        environment[settings.variable(name)] = str(value)
    environment["DOCUMENTS_LOG_LEVEL"] = "WARNING"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(gunicorn), "--workers", "1", "--bind", f"127.0.0.1:{port}",
                                "--no-control-socket", "scelle_documents.entrypoints.wsgi:app"],
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=3).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "gunicorn did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(10)


def test_an_upload_cut_by_the_client_leaves_no_document_and_no_upload(new_case, gunicorn_api, database_url, vault,
                                                                       principal_signer):
    case: Case = new_case()
    expert = case.members["expert"]
    folder = case.folders()["expert/correspondance"]["id"]
    token = principal_signer.sign(account_id=expert.account_id, profile="expert")
    port = int(gunicorn_api.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall((f"POST /v1/folders/{folder}/documents?name=coupe.bin HTTP/1.1\r\n"
                            f"Host: 127.0.0.1\r\nX-Scelle-Principal: {token}\r\n"
                            f"Content-Type: application/octet-stream\r\nContent-Length: {40 * MIB}\r\n\r\n").encode())
        block = b"\x01" * MIB
        for _ in range(15):  # two 5 MiB parts reach S3, then the client goes away
            connection.sendall(block)
        time.sleep(0.5)
    deadline = time.monotonic() + 15
    while pending_uploads(vault.blobs.client, vault.blobs.bucket) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pending_uploads(vault.blobs.client, vault.blobs.bucket) == []
    assert document_count(database_url, folder) == 0
    # The same worker still takes a whole upload, streamed (gunicorn sync worker).
    data = os.urandom(11 * MIB)
    response = requests.post(f"{gunicorn_api}/v1/folders/{folder}/documents", params={"name": "entier.bin"},
                             data=iter([data[i:i + MIB] for i in range(0, len(data), MIB)]),
                             headers={"X-Scelle-Principal": principal_signer.sign(account_id=expert.account_id)})
    assert response.status_code == 201, response.text
    assert document_count(database_url, folder) == 1


class _Feed(io.RawIOBase):
    """A request body that stops the S3 server once ``stop_after`` bytes were read."""

    def __init__(self, total: int, stop_after: int, s3: PrivateSeaweed) -> None:
        super().__init__()
        self.total, self.stop_after, self.s3, self.sent = total, stop_after, s3, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self.sent

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        # The test client measures the body by seeking to its end and back.
        self.sent = self.total + offset if whence == 2 else offset
        return self.sent

    def read(self, size: int = -1) -> bytes:
        if self.sent >= self.total:
            return b""
        if self.sent >= self.stop_after and self.s3 is not None:
            self.s3.stop()
            self.s3 = None  # type: ignore[assignment]
        size = min(MIB if size < 0 else size, self.total - self.sent)
        self.sent += size
        return b"\x02" * size


@pytest.fixture
def drill_s3() -> Iterator[PrivateSeaweed]:
    s3 = PrivateSeaweed()
    try:
        yield s3.start()
    finally:
        s3.destroy()


def test_s3_stopped_mid_upload_answers_503_and_the_sweeper_clears_the_upload(settings, drill_s3, principal_signer,
                                                                             database_url):
    drill_settings = settings.model_copy(update={
        "s3_endpoint_url": drill_s3.url, "s3_access_key": ACCESS_KEY, "s3_secret_key": SECRET_KEY,
        "s3_bucket": f"drill-{uuid.uuid4().hex[:8]}", "s3_connect_timeout_seconds": 1.0,
        "s3_read_timeout_seconds": 5.0})
    app = create_app(drill_settings)
    try:
        case = Case(app, principal_signer).create()
        expert = case.members["expert"]
        folder = case.folders()["expert/correspondance"]["id"]
        assert expert.deposit(folder, "avant.txt", b"avant la panne").status_code == 201
        total = 30 * MIB
        started = time.monotonic()
        response = expert.client.post(
            f"/v1/folders/{folder}/documents", query_string={"name": "panne.bin"},
            input_stream=_Feed(total, 12 * MIB, drill_s3),
            headers=expert.headers({"Content-Type": "application/octet-stream"}))
        assert response.status_code == 503, response.get_data(as_text=True)
        body = problem(response)
        assert body["type"] == "/problems/storage-unavailable" and response.headers["Retry-After"]
        assert time.monotonic() - started < 30
        assert document_count(database_url, folder) == 1  # only the deposit made before the outage
        # S3 still down: a new deposit is refused at once, and so is a download.
        assert expert.deposit(folder, "pendant.txt", b"pendant").status_code == 503
        drill_s3.start()
        client, bucket = drill_s3.client(), drill_settings.s3_bucket
        assert pending_uploads(client, bucket), "the interrupted upload could not be aborted while S3 was down"
        runtime = app.extensions["scelle_runtime"]
        blobs = build_blob_store(drill_settings)
        assert blobs is not None
        aborted, deleted = sweep(runtime, blobs, datetime.now(UTC) + timedelta(minutes=1))
        assert aborted >= 1 and deleted == 0  # the deposit made before the outage keeps its object
        assert pending_uploads(client, bucket) == []
        assert document_count(database_url, folder) == 1
    finally:
        app.extensions["scelle_runtime"].close()
