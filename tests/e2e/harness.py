"""Real parts for the end-to-end tests and the gateway benchmark.

* :class:`GatewayProcess`: a private nginx rendered from ``deploy/gateway`` (the same template
  and renderer as the local stack) on a free port, in its own prefix directory.
* :class:`ThreadedServer`: a WSGI app (identity's real app, or the echo service below) served by
  werkzeug in a thread on a free port.
* :func:`echo_app`: a stand-in *service* (not a stand-in for identity): it verifies the
  principal token with the library every service uses and answers with what it received.
* :func:`dev_pki`: the project's dev PKI (``deploy/pki``) generated into a directory.
* :class:`TlsClient`: a keep-alive HTTPS client (standard library) with a client certificate.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import importlib.util
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from scelle_common.http.principal import PRINCIPAL_HEADER, InvalidPrincipal, PrincipalVerifier
from scelle_common.testing.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
# devpki imports its sibling pkimodel, so deploy/pki goes on the path (as identity's tests do);
# the renderer is loaded under a name of its own.
if str(ROOT / "deploy" / "pki") not in sys.path:
    sys.path.insert(0, str(ROOT / "deploy" / "pki"))
import devpki  # noqa: E402


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


render = _load("scelle_gateway_render", ROOT / "deploy" / "gateway" / "render.py")

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


# -- the dev PKI --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    """A dev PKI directory (layout of deploy/pki/README.md)."""

    out: Path

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))

    def identity(self, name: str) -> dict[str, Any]:
        for entry in self.manifest["identities"]:
            if entry["name"] == name:
                return entry
        raise KeyError(name)

    def cert(self, name: str) -> tuple[str, str]:
        """(chain.pem, key.pem) of a user, as ``requests``' ``cert=`` wants them."""
        return str(self.out / "users" / name / "chain.pem"), str(self.out / "users" / name / "key.pem")

    @property
    def server_ca(self) -> str:
        return str(self.out / "server-ca.pem")

    @property
    def cas_dir(self) -> Path:
        return self.out / "cas"

    def software_ca(self) -> tuple[str, str]:
        root = self.out / "cas" / "scelle" / "root"
        return (root / "cert.pem").read_text(), (root / "key.pem").read_text()


def dev_pki(out: Path) -> Pki:
    devpki.init(out)
    return Pki(out)


# -- WSGI servers in threads ------------------------------------------------------------------


class ThreadedServer:
    """``app`` served by werkzeug (threaded, HTTP/1.1) on 127.0.0.1:<free port>."""

    def __init__(self, app: Callable[..., Any], port: int | None = None) -> None:
        self.port = port or free_port()
        self._server: BaseWSGIServer = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"wsgi-{self.port}", daemon=True)

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# -- the echo service -------------------------------------------------------------------------


@dataclass
class UploadProbe:
    """What the echo service saw of the last streamed upload."""

    first_chunk: threading.Event
    release: threading.Event

    @classmethod
    def new(cls) -> UploadProbe:
        return cls(threading.Event(), threading.Event())


def echo_app(jwks: str, probe: UploadProbe | None = None) -> Callable[..., Any]:
    """A tiny service behind the gateway.

    ``/v1/echo`` answers JSON: method, path, query, the request headers, and the principal as
    ``PrincipalVerifier`` (the services' own verifier) sees it. ``/v1/upload`` reads the body in
    1 MiB chunks as it arrives; on its first chunk it sets ``probe.first_chunk`` and, when asked
    (``?hold=1``), waits for ``probe.release``: a client that holds back the rest of its body
    until then proves the gateway streams. Its operational routes (``/healthz``, ``/readyz``,
    ``/metrics``, ``/internal/...``) answer 200 "LEAK" so that reaching them through the
    gateway shows.
    """
    verifier = PrincipalVerifier(jwks)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        if "CONTENT_TYPE" in environ:
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        if "CONTENT_LENGTH" in environ and environ["CONTENT_LENGTH"]:
            headers["Content-Length"] = environ["CONTENT_LENGTH"]
        if path == "/v1/upload":
            return _upload(environ, start_response, probe)
        if path in ("/v1/echo", "/openapi.json") or path.startswith("/v1/echo/"):
            token = environ.get("HTTP_" + PRINCIPAL_HEADER.upper().replace("-", "_"))
            principal: dict[str, Any] | None = None
            problem = None
            if token:
                try:
                    verified = verifier.verify(token)
                    principal = {"account_id": verified.account_id, "profile": verified.profile,
                                 "cert_fingerprint": verified.cert_fingerprint, "client_ip": verified.client_ip}
                except InvalidPrincipal as exc:
                    problem = str(exc)
            body = {"method": environ["REQUEST_METHOD"], "path": path, "query": environ.get("QUERY_STRING", ""),
                    "headers": headers, "principal": principal, "principal_problem": problem}
            return _json(start_response, 200, body)
        if path in ("/healthz", "/readyz", "/metrics") or path.startswith("/internal/"):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"LEAK"]
        return _json(start_response, 404, {"type": "/problems/not-found", "status": 404})

    return app


def _json(start_response: Callable[..., Any], status: int, body: Mapping[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(f"{status} {http.client.responses.get(status, '')}",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _upload(environ: dict[str, Any], start_response: Callable[..., Any], probe: UploadProbe | None) -> list[bytes]:
    stream = environ["wsgi.input"]
    remaining = int(environ.get("CONTENT_LENGTH") or 0)
    digest, received, first_at = hashlib.sha256(), 0, None
    hold = "hold=1" in environ.get("QUERY_STRING", "")
    started = time.monotonic()
    while remaining > 0:
        chunk = stream.read(min(1 << 20, remaining))
        if not chunk:
            break
        if first_at is None:
            first_at = time.monotonic() - started
            if probe is not None:
                probe.first_chunk.set()
                if hold and not probe.release.wait(timeout=30):
                    return _json(start_response, 500, {"error": "the client never sent the rest"})
        digest.update(chunk)
        received += len(chunk)
        remaining -= len(chunk)
    return _json(start_response, 200, {"received": received, "sha256": digest.hexdigest()})


# -- nginx --------------------------------------------------------------------------------------


class GatewayProcess:
    """A private gateway: rendered like the local stack's, on its own port and directory.

    The directory is made world-traversable: when the tests run as root, nginx's workers run as
    ``nobody`` and must reach the temp and cache directories nginx creates (and chowns) there.
    """

    def __init__(self, pki: Pki, services: Mapping[str, int], **options: Any) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="scelle-gateway-"))
        self.dir.chmod(0o755)
        self.config = render.GatewayConfig(
            out_dir=self.dir, pki_dir=pki.out, listen=f"127.0.0.1:{self.port}",
            services=[render.Service(name, port) for name, port in services.items()],
            worker_processes=str(options.pop("worker_processes", 1)),
            error_log_level=options.pop("error_log_level", "notice"), **options,
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.pki = pki

    def start(self) -> GatewayProcess:
        render.render(self.config)
        render.nginx_test(self.config, NGINX)
        with open(self.dir / "nginx.out", "wb") as out:
            self.process = subprocess.Popen(self.config.command(NGINX), stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited ({self.process.returncode}): {self.output()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                if self.config.pid_path.exists():
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen on {self.port}: {self.output()}")

    def output(self) -> str:
        return (self.dir / "nginx.out").read_text(errors="replace")

    def url(self, path: str = "/") -> str:
        return f"https://localhost:{self.port}{path}"

    def workers(self) -> set[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return {int(pid) for pid in children if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"nginx: worker")}

    def reload(self, timeout: float = 15) -> None:
        """SIGHUP, then wait until every worker of the old configuration is gone."""
        assert self.process is not None
        old = self.workers()
        os.kill(self.process.pid, signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self.workers()
            if current and not (current & old):
                return
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not reload within {timeout}s: {self.output()}")

    def access_log(self) -> list[dict[str, Any]]:
        path = self.config.access_log_path
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def log_entry(self, request_id: str, timeout: float = 5) -> dict[str, Any]:
        """The access-log line of a request (nginx writes it just after the response)."""
        deadline = time.monotonic() + timeout
        while True:
            for entry in self.access_log():
                if entry["request_id"] == request_id:
                    return entry
            if time.monotonic() > deadline:
                raise AssertionError(f"no access-log line for request {request_id}")
            time.sleep(0.05)

    def temp_files(self) -> list[Path]:
        """Files in nginx's temp directories (request bodies or responses spooled to disk)."""
        return [path for path in (self.dir / "temp").rglob("*") if path.is_file()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if os.environ.get("SCELLE_KEEP_GATEWAY_DIR"):  # to read nginx's logs after a failure
            print(f"gateway directory kept: {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> GatewayProcess:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


# -- a plain HTTPS client ---------------------------------------------------------------------


class TlsClient:
    """One keep-alive HTTPS connection with an optional client certificate (standard library)."""

    def __init__(self, port: int, ca_file: str, cert: tuple[str, str] | None = None, *,
                 host: str = "localhost", tls_version: ssl.TLSVersion | None = None) -> None:
        context = ssl.create_default_context(cafile=ca_file)
        if cert is not None:
            context.load_cert_chain(*cert)
        if tls_version is not None:
            context.minimum_version = context.maximum_version = tls_version
        self.context = context
        self.connection = http.client.HTTPSConnection(host, port, context=context, timeout=30)

    def request(self, method: str, path: str, body: bytes | Iterable[bytes] | None = None,
                headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        self.connection.request(method, path, body=body, headers=dict(headers or {}))
        response = self.connection.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def close(self) -> None:
        self.connection.close()

