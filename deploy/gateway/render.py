"""Render the gateway's nginx configuration from ``deploy/gateway/nginx.conf.template``.

    python deploy/gateway/render.py --out DIR --pki var/pki [--listen 127.0.0.1:8443]
        [--services-file deploy/local/services.txt | --service NAME=PORT ...]
        [--max-body-size 1g] [--auth-cache-seconds 30] [--log-dir DIR] [--gateway-secret-file F] [--check]

Writes ``DIR/nginx.conf`` and ``DIR/api-location.conf``, creates ``DIR/temp``, ``DIR/cache``
and the log directory, and prints the command that runs nginx on it::

    nginx -c DIR/nginx.conf -p DIR -g 'daemon off;'

``--check`` also runs ``nginx -t`` on the result. Standard library only, so the local stack
and the tests render the same file the same way (``render()`` is importable).

Services come from the local stack's table (``deploy/local/services.txt``: every line whose
``uses`` has ``api``) or from ``--service NAME=PORT`` (repeatable; the tests use it). Each one
gets an ``upstream scelle_<name>`` and the locations ``/api/<name>/v1/`` and
``/api/<name>/openapi.json``. The auth subrequest goes to the service named ``identity``
(``--identity-service`` to change it), which must be among them.

``--gateway-secret-file``: the shared secret identity may require on its authenticate route
(``IDENTITY_GATEWAY_SECRET``), sent as ``X-Scelle-Gateway-Secret`` on every auth subrequest. It
ends up in nginx.conf, which is then written mode 0600.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "nginx.conf.template"
API_LOCATION = HERE / "api-location.conf"
HEADERS_MORE_CANDIDATES = (
    "/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so",  # Debian, Ubuntu
    "/usr/lib64/nginx/modules/ngx_http_headers_more_filter_module.so",  # Fedora, RHEL
    "/etc/nginx/modules/ngx_http_headers_more_filter_module.so",  # nginx.org images
)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_SIZE = re.compile(r"^[0-9]+[kKmMgG]?$")
# Characters that need no quoting in an nginx string nor in an HTTP header (base64url, base64, hex).
_SECRET = re.compile(r"^[A-Za-z0-9._~+/=-]{16,256}$")


class RenderError(Exception):
    """The configuration cannot be rendered as asked."""


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    host: str = "127.0.0.1"

    @property
    def upstream(self) -> str:
        return f"scelle_{self.name.replace('-', '_')}"


@dataclass
class GatewayConfig:
    """Everything the template needs; paths are made absolute when rendering."""

    out_dir: Path
    pki_dir: Path
    services: list[Service]
    listen: str = "127.0.0.1:8443"
    server_names: str = "scelle.localhost localhost 127.0.0.1"
    max_body_size: str = "1g"
    auth_cache_seconds: int = 30
    identity_service: str = "identity"
    # The service whose HTML pages are served at / (DESIGN §1: the web front); it gets no /api/ route.
    portal_service: str = "portal"
    worker_processes: str = "auto"
    error_log_level: str = "warn"
    log_dir: Path | None = None  # default: out_dir/logs
    pid_file: Path | None = None  # default: out_dir/nginx.pid
    gateway_secret: str = ""  # X-Scelle-Gateway-Secret for identity; empty: not sent
    headers_more_module: str | None = None  # default: found among HEADERS_MORE_CANDIDATES
    upstream_keepalive: int = 32
    # host:port of the S3 server the vault's pre-signed download redirects point at; empty: the
    # vault streams downloads itself and no object-store location is rendered.
    object_store: str = ""

    @property
    def conf_path(self) -> Path:
        return self.out_dir / "nginx.conf"

    @property
    def pid_path(self) -> Path:
        return self.pid_file or self.out_dir / "nginx.pid"

    @property
    def access_log_path(self) -> Path:
        return (self.log_dir or self.out_dir / "logs") / "gateway-access.log"

    def command(self, nginx: str = "nginx") -> list[str]:
        """The foreground command that runs this gateway."""
        return [nginx, "-c", str(self.conf_path), "-p", str(self.out_dir), "-g", "daemon off;"]


def find_headers_more_module() -> str:
    for candidate in HEADERS_MORE_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise RenderError(
        "the nginx headers-more module is missing (it strips client-sent X-Scelle-*/X-Client-* "
        "headers). Debian: apt-get install --no-install-recommends libnginx-mod-http-headers-more-filter"
    )


def services_from_table(path: Path, *, only: Iterable[str] | None = None) -> list[Service]:
    """The services with an API in the local stack's table (``name port uses...``)."""
    wanted = set(only) if only is not None else None
    services = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        name, port, uses = fields[0], fields[1], fields[2:]
        if "api" in uses and (wanted is None or name in wanted):
            services.append(Service(name, int(port)))
    return services


def parse_service(text: str) -> Service:
    name, sep, address = text.partition("=")
    host, _, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected NAME=PORT or NAME=HOST:PORT, got {text!r}")
    return Service(name, int(port), host or "127.0.0.1")


def _upstreams(config: GatewayConfig) -> str:
    blocks = []
    for service in config.services:
        blocks.append(
            f"    upstream {service.upstream} {{\n"
            f"        server {service.host}:{service.port} max_fails=0;\n"
            f"        keepalive {config.upstream_keepalive};\n"
            f"    }}"
        )
    return "\n".join(blocks)


def _api_locations(config: GatewayConfig, include: Path) -> str:
    blocks = []
    for service in config.services:
        if service.name == config.portal_service:
            continue
        name, upstream = service.name, service.upstream
        blocks.append(
            f"        # {name}: /api/{name}/v1/… → http://{service.host}:{service.port}/v1/…\n"
            f"        location /api/{name}/v1/ {{\n"
            f"            proxy_pass http://{upstream}/v1/;\n"
            f"            include {include};\n"
            f"        }}\n"
            f"        location = /api/{name}/openapi.json {{\n"
            f"            proxy_pass http://{upstream}/openapi.json;\n"
            f"            include {include};\n"
            f"        }}"
        )
    return "\n".join(blocks)


# A person's browser gets these pages from the gateway itself (the portal's own errors pass through).
_PORTAL_ERROR_PAGES = {
    "401": ("Certificat requis", "Présentez un certificat client reconnu par Scellé pour accéder au portail, "
            "puis rechargez la page."),
    "403": ("Accès refusé", "Ce certificat ne permet pas d’accéder à Scellé (révoqué, expiré ou compte suspendu)."),
    "503": ("Service momentanément indisponible", "Le portail ne répond pas pour le moment ; réessayez dans un instant."),
}


# A trusted certificate no account holds (identity's ``certificate-not-registered``): the first
# question of the first login (REFERENCE §1.4), leading to the portal's registration pages.
_NEW_CERTIFICATE_PAGE = (
    "Nouveau certificat reconnu",
    "<p>Ce certificat est émis par une autorité reconnue par Scellé, mais n’est rattaché à aucun compte.</p>"
    "<h2>Disposez-vous d’un compte ?</h2>"
    "<ul class=\"choices\">"
    "<li><a class=\"button\" href=\"/inscription\">Non : créer un compte</a></li>"
    "<li><a class=\"button button-secondary\" href=\"/inscription/association\">"
    "Oui : associer ce certificat à mon compte</a></li></ul>",
)


def _html_page(title: str, body: str) -> str:
    """A small French page, styled by the portal's public stylesheet (served without auth)."""
    return (f"<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{title} — Scellé</title><link rel=\"stylesheet\" href=\"/static/portal.css\"></head>"
            f"<body><header class=\"site-header\"><div class=\"brand\"><span class=\"brand-link\">Scellé</span>"
            f"<span class=\"brand-sub\">Expertise judiciaire dématérialisée</span></div></header>"
            f"<main id=\"contenu\"><h1>{title}</h1>{body}</main>"
            f"<footer class=\"site-footer\"><p>Référence de la page : <code>$request_id</code></p></footer>"
            f"</body></html>")


def _portal_error_page(status: str) -> str:
    title, detail = _PORTAL_ERROR_PAGES[status]
    lines = [f"        location @portal_{status} {{",
             "            default_type \"text/html; charset=utf-8\";",
             "            add_header X-Request-Id $request_id always;",
             "            add_header Cache-Control no-store always;"]
    if status == "401":
        new_title, new_body = _NEW_CERTIFICATE_PAGE
        lines += ["            if ($scelle_portal_refusal = certificate-not-registered) {",
                  f"                return 401 '{_html_page(new_title, new_body)}';",
                  "            }"]
    if status == "403":
        # identity refuses every route but the CGU's until the version in force is accepted:
        # from any page, a person is taken to the portal's CGU page (DESIGN §6.8).
        lines += ["            absolute_redirect off;",
                  "            if ($scelle_portal_refusal = cgu-acceptance-required) {",
                  "                return 303 /cgu;",
                  "            }"]
    lines += [f"            return {status} '{_html_page(title, f'<p>{detail}</p>')}';",
              "        }"]
    return "\n".join(lines)


def _root_location(config: GatewayConfig, include: Path) -> str:
    """``location /``: the portal's pages (authenticated like /api/), or a 404 problem without a portal."""
    portal = next((s for s in config.services if s.name == config.portal_service), None)
    if portal is None:
        return "        location / {\n            return 404;\n        }"
    identity = next(s for s in config.services if s.name == config.identity_service)
    return "\n".join([
        "        # identity mails association links to its API path: a person's browser opening one",
        "        # (a navigation) is sent to the portal's page for it; an API client still gets identity.",
        "        location ~ \"^/api/identity/v1/association-links/(?<scelle_link>[A-Za-z0-9_-]{16,128})$\" {",
        f"            include {include};",
        "            absolute_redirect off;",
        "            if ($scelle_wants_page) {",
        "                return 303 /inscription/association/$scelle_link;",
        "            }",
        "            rewrite ^/api/identity(/v1/.*)$ $1 break;",
        f"            proxy_pass http://{identity.upstream};",
        "        }",
        f"        # {portal.name}: / → http://{portal.host}:{portal.port}/ (HTML), after auth_request like /api/.",
        "        location / {",
        f"            proxy_pass http://{portal.upstream};",
        f"            include {include};",
        "            # For a person: HTML pages, not problem+json. (An error_page here replaces every",
        "            # server-level one in this location, so each status the gateway makes is listed.)",
        "            error_page 401 = @portal_401;",
        "            error_page 403 = @portal_403;",
        "            error_page 500 502 503 504 = @portal_503;",
        "        }",
        "        # The portal's operational endpoints stay internal (DESIGN §5), as every service's;",
        "        # /api/ paths that are no service's are not pages.",
        "        location = /healthz { return 404; }",
        "        location = /readyz { return 404; }",
        "        location = /metrics { return 404; }",
        "        location /internal/ { return 404; }",
        "        location /api/ { return 404; }",
        "        # The portal's stylesheet and scripts hold no secret: served to anyone, so that the",
        "        # registration pages and the gateway's own pages (before any account) are styled.",
        "        location /static/ {",
        f"            proxy_pass http://{portal.upstream};",
        "            proxy_http_version 1.1;",
        '            proxy_set_header Connection "";',
        "            proxy_set_header Host $host;",
        "            proxy_set_header X-Request-Id $request_id;",
        '            proxy_set_header X-Scelle-Principal "";',
        "            proxy_hide_header X-Request-Id;",
        "            limit_except GET { deny all; }",
        "        }",
        _portal_error_page("401"),
        _portal_error_page("403"),
        _portal_error_page("503"),
    ])


def _object_store_location(config: GatewayConfig) -> str:
    """The internal location the vault hands downloads to (``X-Accel-Redirect``), if configured.

    The vault has already checked rights, recorded the read and audited; nginx then streams the
    object straight from S3 through a pre-signed URL, which on two cores is what lets downloads
    keep up with S3 (the API worker no longer copies every byte).
    """
    if not config.object_store:
        return "        # (no object-store location: the vault streams downloads itself)"
    return "\n".join([
        "        # The vault's download offload: X-Accel-Redirect /_scelle/s3/<bucket>/<key>?<pre-signed>.",
        "        location /_scelle/s3/ {",
        "            internal;",
        f"            proxy_pass http://{config.object_store}/;",
        "            proxy_http_version 1.1;",
        f"            proxy_set_header Host {config.object_store};  # the pre-signed URL signs it",
        '            proxy_set_header Connection "";',
        '            proxy_set_header X-Scelle-Principal "";',
        "            proxy_max_temp_file_size 0;",
        "            proxy_intercept_errors on;  # S3's XML errors become the gateway's problem+json",
        "            proxy_hide_header x-amz-request-id;",
        "            proxy_hide_header x-amz-id-2;",
        "        }",
    ])


def _check(config: GatewayConfig) -> None:
    names = [service.name for service in config.services]
    for name in names:
        if not _NAME.match(name):
            raise RenderError(f"service name {name!r} is not a lower-case identifier")
    if len(set(names)) != len(names):
        raise RenderError(f"a service is listed twice: {names}")
    if config.identity_service not in names:
        raise RenderError(f"the auth subrequest needs the {config.identity_service!r} service among {names}")
    if not _SIZE.match(config.max_body_size):
        raise RenderError(f"max body size {config.max_body_size!r} is not an nginx size (e.g. 512m, 2g)")
    if config.gateway_secret and not _SECRET.match(config.gateway_secret):
        raise RenderError("the gateway secret must be 16 to 256 characters of base64/base64url/hex")
    if config.auth_cache_seconds < 1 or config.auth_cache_seconds > 300:
        raise RenderError("the auth cache must last between 1 and 300 seconds (tokens live 5 minutes)")
    for required in ("trusted-clients.pem", "crls.pem", "server.pem", "server.key.pem"):
        if not (config.pki_dir / required).is_file():
            raise RenderError(f"{config.pki_dir / required} is missing: run deploy/pki/devpki.py init --out {config.pki_dir}")


def render(config: GatewayConfig) -> Path:
    """Write the configuration and its directories; returns the nginx.conf path."""
    config.out_dir = config.out_dir.resolve()
    config.pki_dir = config.pki_dir.resolve()
    log_dir = (config.log_dir or config.out_dir / "logs").resolve()
    config.log_dir = log_dir
    config.pid_file = config.pid_path.resolve()
    _check(config)
    temp_dir, cache_dir = config.out_dir / "temp", config.out_dir / "cache"
    for directory in (config.out_dir, temp_dir, cache_dir, log_dir, config.pid_file.parent):
        directory.mkdir(parents=True, exist_ok=True)
    include = config.out_dir / API_LOCATION.name
    values: Mapping[str, str] = {
        "headers_more_module": config.headers_more_module or find_headers_more_module(),
        "worker_processes": config.worker_processes,
        "pid_file": str(config.pid_file),
        "log_dir": str(log_dir),
        "error_log_level": config.error_log_level,
        "temp_dir": str(temp_dir),
        "cache_dir": str(cache_dir),
        "access_log": str(config.access_log_path),
        "auth_cache_seconds": str(config.auth_cache_seconds),
        "listen": config.listen,
        "server_names": config.server_names,
        "pki_dir": str(config.pki_dir),
        "max_body_size": config.max_body_size,
        "identity_service": config.identity_service.replace("-", "_"),
        "upstreams": _upstreams(config),
        "api_locations": _api_locations(config, include),
        "root_location": _root_location(config, include),
        "object_store_location": _object_store_location(config),
        "gateway_secret_header": (
            f'proxy_set_header X-Scelle-Gateway-Secret "{config.gateway_secret}";' if config.gateway_secret
            else "# (no X-Scelle-Gateway-Secret: identity is not configured to require one)"
        ),
    }
    template = TEMPLATE.read_text(encoding="utf-8")
    missing = sorted({m.group(1) for m in _PLACEHOLDER.finditer(template)} - set(values))
    if missing:
        raise RenderError(f"no value for {', '.join(missing)} in {TEMPLATE}")
    text = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    # Write-then-rename: a reload never reads a half-written file.
    shutil.copyfile(API_LOCATION, include.with_suffix(".conf.new"))
    os.replace(include.with_suffix(".conf.new"), include)
    new = config.conf_path.with_suffix(".conf.new")
    new.unlink(missing_ok=True)
    descriptor = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if config.gateway_secret else 0o644)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(new, config.conf_path)
    return config.conf_path


def nginx_test(config: GatewayConfig, nginx: str = "nginx") -> None:
    """``nginx -t`` on the rendered file; raises RenderError with nginx's words."""
    result = subprocess.run(
        [nginx, "-t", "-q", "-c", str(config.conf_path), "-p", str(config.out_dir)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RenderError(f"nginx -t refuses {config.conf_path}:\n{result.stderr.strip()}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="directory of the rendered configuration (nginx -p)")
    parser.add_argument("--pki", type=Path, required=True, help="dev PKI directory (devpki.py init --out)")
    parser.add_argument("--listen", default="127.0.0.1:8443", help="address:port of the TLS listener")
    parser.add_argument("--server-names", default="scelle.localhost localhost 127.0.0.1")
    parser.add_argument("--services-file", type=Path, help="the local stack's services.txt")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="with --services-file: keep only these services (repeatable)")
    parser.add_argument("--service", action="append", type=parse_service, default=[], metavar="NAME=PORT",
                        help="a service API on 127.0.0.1:PORT (or NAME=HOST:PORT); repeatable")
    parser.add_argument("--identity-service", default="identity")
    parser.add_argument("--max-body-size", default="1g", help="largest request body (nginx size, default 1g)")
    parser.add_argument("--auth-cache-seconds", type=int, default=30)
    parser.add_argument("--worker-processes", default="auto")
    parser.add_argument("--error-log-level", default="warn")
    parser.add_argument("--log-dir", type=Path, help="where the access and error logs go (default OUT/logs)")
    parser.add_argument("--pid-file", type=Path, help="nginx's pid file (default OUT/nginx.pid)")
    parser.add_argument("--gateway-secret-file", type=Path,
                        help="file holding the secret identity requires on /internal/v1/authenticate")
    parser.add_argument("--object-store", default="", metavar="HOST:PORT",
                        help="S3 server the vault's download offload redirects to (default: none)")
    parser.add_argument("--check", action="store_true", help="run nginx -t on the result")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    services = list(args.service)
    if args.services_file is not None:
        services += services_from_table(args.services_file, only=args.only)
    config = GatewayConfig(
        out_dir=args.out, pki_dir=args.pki, services=services, listen=args.listen,
        server_names=args.server_names, max_body_size=args.max_body_size,
        auth_cache_seconds=args.auth_cache_seconds, identity_service=args.identity_service,
        worker_processes=args.worker_processes, error_log_level=args.error_log_level, log_dir=args.log_dir,
        pid_file=args.pid_file, object_store=args.object_store,
        gateway_secret=args.gateway_secret_file.read_text(encoding="utf-8").strip() if args.gateway_secret_file else "",
    )
    try:
        render(config)
        if args.check:
            nginx_test(config)
    except (RenderError, OSError) as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 1
    print(" ".join(f"'{part}'" if " " in part else part for part in config.command()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
