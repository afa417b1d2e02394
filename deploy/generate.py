"""Write the per-service deployment files from the local stack's table.

    python deploy/generate.py           # (re)write the generated files
    python deploy/generate.py --check   # exit 1 if any generated file is missing or stale

One source of truth: ``deploy/local/services.txt`` (name, port, what each service uses) plus the
small tables below (scheduled commands, extra long-running processes). From them come:

* ``deploy/docker/<name>.Dockerfile``        one multi-stage image per service
* ``deploy/compose.yaml``                    the whole platform for people with Docker
* ``deploy/k8s/base/<name>/``                the service's Kubernetes objects (kustomize)
* ``deploy/k8s/base/gateway/``               the gateway's Deployment, Service, NetworkPolicy

What is the same for every pod (restricted security context, /tmp) is not repeated here: the
kustomize component ``deploy/k8s/components/restricted`` patches every container named ``main``.
Standard library only; the output is plain YAML written as text (stable diffs, no PyYAML needed).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SERVICES_FILE = DEPLOY / "local" / "services.txt"

# The base image, pinned by digest. The digest is python:3.11.10-slim-bookworm's as pinned in a
# public digest-tracking Dockerfile (nalabelle/build images/digests.Dockerfile); no registry can
# be reached from this machine: check it with `docker buildx imagetools inspect` before a release.
PYTHON_IMAGE = (
    "python:3.11.10-slim-bookworm@sha256:5148c0e4bbb64271bca1d3322360ebf4bfb7564507ae32dd639322e4952a6b16"
)
IMAGE_TAG = "0.1.0"
UID = 10001

# Scheduled commands: (name, schedule, command...). Times are Europe/Paris (CronJob timeZone).
CRONJOBS: dict[str, list[tuple[str, str, list[str]]]] = {
    "identity": [
        ("expiry-notices", "15 6 * * *", ["expiry-notices"]),
        ("crl", "30 */6 * * *", ["crl"]),
    ],
    "documents": [("sweep", "*/30 * * * *", ["sweep"])],
    "billing": [("run-invoicing", "0 2 * * *", ["run-invoicing"])],
    "notification": [("digest", "0 19 * * *", ["digest"])],
}
# Every service keeps an audit chain: verified nightly (a failed Job is the alert).
AUDIT_SCHEDULE = "45 3 * * *"
# The long-running processes a service's `uses` (deploy/local/services.txt) asks for, in order:
# word → (Deployment suffix, entrypoint arguments). The api is also a Service behind the gateway.
PROCESSES = {
    "api": ("api", ["api"]),
    "relay": ("relay", ["relay"]),
    "consumer": ("consumer", ["consumer"]),
    "sender": ("sender", ["run", "send-mail"]),
}
# Where the secret and key files live inside the containers (the *_FILE variables).
JWKS_PATH = "/etc/scelle/jwks/jwks.json"
SIGNING_KEY_PATH = "/etc/scelle/signing-key/principal-signing.jwk.json"
RECEIPT_KEY_PATH = "/etc/scelle/receipt-key/receipt.jwk.json"
TRUSTED_ISSUERS_PATH = "/etc/scelle/trusted-issuers"
# identity reads <dir>/<family>/**/*.pem: one Secret per family, mounted as that folder.
TRUSTED_FAMILIES = ("justice", "avocats", "experts", "scelle")
SOFTWARE_CA_CERT_PATH = "/etc/scelle/software-ca/cert.pem"
SOFTWARE_CA_KEY_PATH = "/etc/scelle/software-ca/key.pem"
GATEWAY_SECRET_PATH = "/etc/scelle/gateway-secret/gateway-secret"
GATEWAY_PORT = 8443
# Downloads: the vault answers X-Accel-Redirect to this internal gateway location, which proxies
# the pre-signed S3 URL (deploy/gateway render.py --object-store = the services' S3 endpoint).
OFFLOAD_LOCATION = "/_scelle/s3/"
OBJECT_STORE = "s3:8333"


@dataclass
class Service:
    name: str
    port: int
    uses: set[str] = field(default_factory=set)
    backends: list[Service] = field(default_factory=list)  # with `backends`: every other API

    @property
    def prefix(self) -> str:
        return self.name.upper().replace("-", "_")

    def has(self, word: str) -> bool:
        return word in self.uses

    @property
    def processes(self) -> list[tuple[str, list[str]]]:
        return [process for word, process in PROCESSES.items() if self.has(word)]

    @property
    def uses_broker(self) -> bool:
        return any(self.has(word) for word in ("relay", "consumer"))

    @property
    def long_requests(self) -> bool:
        return self.has("long-requests")

    @property
    def timeout(self) -> int:
        return 3600 if self.long_requests else 30


def load_services(path: Path = SERVICES_FILE) -> list[Service]:
    services = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if (ROOT / "services" / fields[0] / "pyproject.toml").is_file():
            services.append(Service(fields[0], int(fields[1]), set(fields[2:])))
    for service in services:
        if service.has("backends"):
            service.backends = [o for o in services if o is not service and o.has("api")]
    return services


def q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def flow(items: list[str]) -> str:
    return "[" + ", ".join(q(item) for item in items) + "]"


HEADER = "# GENERATED by deploy/generate.py from deploy/local/services.txt: edit the generator, not this file.\n"

# --- Dockerfiles --------------------------------------------------------------------------------


def dockerfile(service: Service) -> str:
    name = service.name
    service_copies = "".join(
        f"COPY services/{name}/{part} /app/services/{name}/{part}\n"
        for part in ("alembic.ini", "migrations", "contracts") if (ROOT / "services" / name / part).exists())
    return f"""# syntax=docker/dockerfile:1.7
{HEADER.strip()}
# The {name} service: one image, whose first argument picks the process (deploy/docker/entrypoint.sh):
#   api | relay | consumer | migrate | run <command…> | cron <command…>
# Build from the repository root:  docker build -f deploy/docker/{name}.Dockerfile -t scelle/{name}:{IMAGE_TAG} .
ARG PYTHON_IMAGE={PYTHON_IMAGE}

# --- builder: every dependency from wheels, pinned by constraints.txt, into /opt/venv -----------
FROM ${{PYTHON_IMAGE}} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /app
COPY constraints.txt /app/constraints.txt
COPY libs/common/pyproject.toml /app/libs/common/pyproject.toml
COPY libs/common/src /app/libs/common/src
COPY services/{name}/pyproject.toml /app/services/{name}/pyproject.toml
{service_copies}COPY services/{name}/src /app/services/{name}/src
# --only-binary: the final image has no compiler, so nothing may need one here either (local
# projects are still built: they are pure Python). The service is installed editable: it finds migrations/ and contracts/ beside src/
# (bootstrap.SERVICE_ROOT), so /app/services/{name} is copied to the same path below.
RUN /opt/venv/bin/pip install --only-binary=:all: -c /app/constraints.txt /app/libs/common \\
 && /opt/venv/bin/pip install --only-binary=:all: -c /app/constraints.txt -e /app/services/{name} \\
 && /opt/venv/bin/python -m compileall -q /opt/venv/lib /app/services/{name}/src

# --- final: the interpreter, the venv and the service; no compiler, no pip cache, non-root ------
FROM ${{PYTHON_IMAGE}}
RUN groupadd --system --gid {UID} scelle \\
 && useradd --system --uid {UID} --gid scelle --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin scelle
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app/services/{name} /app/services/{name}
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/scelle-entrypoint
ENV PATH=/opt/venv/bin:$PATH \\
    PYTHONUNBUFFERED=1 \\
    PYTHONDONTWRITEBYTECODE=1 \\
    SCELLE_SERVICE={name} \\
    SCELLE_API_PORT={service.port} \\
    SCELLE_API_TIMEOUT={service.timeout}
WORKDIR /app/services/{name}
USER {UID}:{UID}
EXPOSE {service.port}
ENTRYPOINT ["/usr/local/bin/scelle-entrypoint"]
CMD ["api"]
"""


# --- environment (same names as deploy/local/stack.sh's write_env_file) ----------------------------


def compose_env(service: Service) -> list[tuple[str, str]]:
    p, n = service.prefix, service.name
    env = []
    if service.has("migrate"):
        env.append((f"{p}_DATABASE_URL", f"postgresql+psycopg://scelle:scelle@postgres:5432/scelle_{n}"))
    env += [
        (f"{p}_BROKER_URL", "amqp://scelle:scelle@rabbitmq:5672/%2F"),
        (f"{p}_JWKS_FILE", "/var/scelle/keys/jwks.json"),
        (f"{p}_LOG_LEVEL", "${SCELLE_LOG_LEVEL:-INFO}"),
    ]
    if service.has("s3"):
        env += [
            (f"{p}_S3_ENDPOINT_URL", "http://s3:8333"),
            (f"{p}_S3_ACCESS_KEY", "scelle-dev"),
            (f"{p}_S3_SECRET_KEY", "scelle-dev-secret"),
            (f"{p}_S3_REGION", "us-east-1"),
            # The gateway streams downloads straight from S3 once the vault has said yes.
            (f"{p}_DOWNLOAD_OFFLOAD_LOCATION", OFFLOAD_LOCATION),
        ]
    if service.has("smtp"):
        env += [(f"{p}_SMTP_HOST", "smtp"), (f"{p}_SMTP_PORT", "1025")]
    if service.has("receipt-key"):
        env.append((f"{p}_RECEIPT_KEY_FILE", f"/var/scelle/keys/{n}-receipt.jwk.json"))
    if service.has("signing-key"):
        env.append((f"{p}_SIGNING_KEY_FILE", "/var/scelle/keys/principal-signing.jwk.json"))
    if service.has("backends"):
        env += [(f"{p}_{o.prefix}_URL", f"http://{o.name}-api:{o.port}") for o in service.backends]
    if service.has("pki"):
        env += [
            (f"{p}_TRUSTED_ISSUERS_DIR", "/var/scelle/pki/cas"),
            (f"{p}_SOFTWARE_CA_CERT_FILE", "/var/scelle/pki/cas/scelle/root/cert.pem"),
            (f"{p}_SOFTWARE_CA_KEY_FILE", "/var/scelle/pki/cas/scelle/root/key.pem"),
            (f"{p}_PUBLIC_URL", "https://scelle.localhost:8443"),
            (f"{p}_GATEWAY_SECRET_FILE", "/var/scelle/keys/gateway-secret"),
        ]
    return env


def k8s_config(service: Service) -> list[tuple[str, str]]:
    """Non-secret settings: the ConfigMap (configMapGenerator from config.env)."""
    p = service.prefix
    env = [(f"{p}_JWKS_FILE", JWKS_PATH), (f"{p}_LOG_LEVEL", "INFO")]
    if service.has("s3"):
        env += [(f"{p}_S3_ENDPOINT_URL", "http://s3:8333"), (f"{p}_S3_REGION", "us-east-1"),
                (f"{p}_DOWNLOAD_OFFLOAD_LOCATION", OFFLOAD_LOCATION)]
    if service.has("smtp"):
        env += [(f"{p}_SMTP_HOST", "smtp"), (f"{p}_SMTP_PORT", "1025")]
        if not service.has("pki"):  # the links in its mails (pki services get it below)
            env.append((f"{p}_PUBLIC_URL", "https://scelle.example.fr"))
    if service.has("receipt-key"):
        env.append((f"{p}_RECEIPT_KEY_FILE", RECEIPT_KEY_PATH))
    if service.has("signing-key"):
        env.append((f"{p}_SIGNING_KEY_FILE", SIGNING_KEY_PATH))
    if service.has("backends"):
        env += [(f"{p}_{o.prefix}_URL", f"http://{o.name}:{o.port}") for o in service.backends]
    if service.has("pki"):
        env += [
            (f"{p}_TRUSTED_ISSUERS_DIR", TRUSTED_ISSUERS_PATH),
            (f"{p}_SOFTWARE_CA_CERT_FILE", SOFTWARE_CA_CERT_PATH),
            (f"{p}_SOFTWARE_CA_KEY_FILE", SOFTWARE_CA_KEY_PATH),
            (f"{p}_PUBLIC_URL", "https://scelle.example.fr"),
            (f"{p}_GATEWAY_SECRET_FILE", GATEWAY_SECRET_PATH),
        ]
    return env


def k8s_secret_env(service: Service) -> list[tuple[str, str, str]]:
    """(variable, Secret name, key): values that are only ever referenced."""
    p, n = service.prefix, service.name
    env = []
    if service.has("migrate"):
        env.append((f"{p}_DATABASE_URL", f"{n}-database", "url"))
    if service.uses_broker:
        env.append((f"{p}_BROKER_URL", f"{n}-broker", "url"))
    if service.has("s3"):
        env += [(f"{p}_S3_ACCESS_KEY", f"{n}-s3", "access-key"), (f"{p}_S3_SECRET_KEY", f"{n}-s3", "secret-key")]
    return env


def k8s_volumes(service: Service) -> list[tuple[str, str, str, str]]:
    """(volume name, kind configMap|secret, source name, mount path) of the service's files."""
    volumes = [("jwks", "configMap", "scelle-jwks", "/etc/scelle/jwks")]
    if service.has("receipt-key"):
        volumes.append(("receipt-key", "secret", f"{service.name}-receipt-key", "/etc/scelle/receipt-key"))
    if service.has("signing-key"):
        volumes.append(("signing-key", "secret", f"{service.name}-signing-key", "/etc/scelle/signing-key"))
    if service.has("pki"):
        volumes += [
            *((f"trusted-{family}", "secret", f"trusted-issuers-{family}", f"{TRUSTED_ISSUERS_PATH}/{family}")
              for family in TRUSTED_FAMILIES),
            ("software-ca", "secret", f"{service.name}-software-ca", "/etc/scelle/software-ca"),
            ("gateway-secret", "secret", "scelle-gateway-secret", "/etc/scelle/gateway-secret"),
        ]
    return volumes


# --- compose ------------------------------------------------------------------------------------


def compose(services: list[Service]) -> str:
    out = [HEADER.strip(), """# The whole platform for people with Docker (it cannot run on the build machines; CI checks it
# with `docker compose -f deploy/compose.yaml config -q`). From the repository root:
#   ./scelle up && ./scelle down      (once: makes the dev PKI in var/pki and the dev keys in var/keys)
#   SCELLE_UID=$(id -u) SCELLE_GID=$(id -g) docker compose -f deploy/compose.yaml up --build
# The dev PKI and dev keys are mounted read-only; the keys are readable by their owner only, so
# Scellé's containers run as that user (SCELLE_UID/SCELLE_GID; deploy/README.md, "Compose").
name: scelle

x-service: &service
  restart: unless-stopped
  user: "${SCELLE_UID:-10001}:${SCELLE_GID:-10001}"
  read_only: true
  tmpfs: [/tmp]
  cap_drop: [ALL]
  security_opt: ["no-new-privileges:true"]
  volumes:
    - ../var/pki:/var/scelle/pki:ro
    - ../var/keys:/var/scelle/keys:ro
  depends_on: &after-migrations
    postgres: {condition: service_healthy}
    rabbitmq: {condition: service_healthy}

services:
  postgres:
    image: postgres:15.10-bookworm
    environment:
      POSTGRES_USER: scelle
      POSTGRES_PASSWORD: scelle
      POSTGRES_DB: scelle
    volumes:
      - postgres-data:/var/lib/postgresql/data
      - ./docker/postgres-init.sql:/docker-entrypoint-initdb.d/10-scelle.sql:ro
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "scelle"]
      interval: 5s
      retries: 20

  rabbitmq:
    image: rabbitmq:3.13.7-management
    environment:
      RABBITMQ_DEFAULT_USER: scelle
      RABBITMQ_DEFAULT_PASS: scelle
    ports: ["127.0.0.1:15672:15672"]
    healthcheck:
      test: ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
      interval: 10s
      retries: 20

  s3:
    image: chrislusf/seaweedfs:3.80
    command: ["server", "-dir=/data", "-s3", "-s3.port=8333", "-s3.config=/etc/seaweedfs/s3.json"]
    volumes:
      - s3-data:/data
      - ./docker/seaweedfs-s3.json:/etc/seaweedfs/s3.json:ro

  smtp:
    image: axllent/mailpit:v1.21.8
    ports: ["127.0.0.1:8025:8025"]

  gateway:
    build: {context: .., dockerfile: deploy/docker/gateway.Dockerfile}
    image: scelle/gateway:""" + IMAGE_TAG + """
    user: "${SCELLE_UID:-10001}:${SCELLE_GID:-10001}"
    read_only: true
    tmpfs: [/tmp]
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    environment:
      SCELLE_GATEWAY_SERVICES: """ + q(" ".join(f"{s.name}={s.name}-api:{s.port}" for s in services if s.has("api"))) + """
      SCELLE_GATEWAY_SERVER_NAMES: "scelle.localhost localhost 127.0.0.1"
      SCELLE_GATEWAY_MAX_BODY: ${SCELLE_GATEWAY_MAX_BODY:-1g}
      SCELLE_GATEWAY_OBJECT_STORE: """ + OBJECT_STORE + """
    volumes:
      - ../var/pki:/etc/scelle/pki:ro
      - ../var/keys/gateway-secret:/etc/scelle/gateway-secret/gateway-secret:ro
    ports: ["127.0.0.1:8443:8443"]
    depends_on: [""" + ", ".join(f"{s.name}-api" for s in services if s.has("api")) + """]
"""]
    for service in services:
        n = service.name
        env = "\n".join(f"      {key}: {q(value)}" for key, value in compose_env(service))
        image = f"scelle/{n}:{IMAGE_TAG}"
        migrate = service.has("migrate")
        anchor = f"&{n}-env"
        if migrate:
            out.append(f"""  {n}-migrate:
    build: {{context: .., dockerfile: deploy/docker/{n}.Dockerfile}}
    image: {image}
    command: ["migrate"]
    restart: "no"
    user: "${{SCELLE_UID:-10001}}:${{SCELLE_GID:-10001}}"
    read_only: true
    tmpfs: [/tmp]
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    environment: &{n}-env
{env}
    volumes:
      - ../var/pki:/var/scelle/pki:ro
      - ../var/keys:/var/scelle/keys:ro
    depends_on:
      postgres: {{condition: service_healthy}}
""")
        if service.has("seed"):
            # Like ./scelle up: the demo accounts of the dev PKI's certificates, after migrations.
            out.append(f"""  {n}-seed:
    <<: *service
    image: {image}
    command: ["run", "seed-demo", "--manifest", "/var/scelle/pki/manifest.json"]
    restart: "no"
    environment: *{n}-env
    depends_on:
      <<: *after-migrations
      {n}-migrate: {{condition: service_completed_successfully}}
""")
        for index, (pname, command) in enumerate(service.processes):
            lines = [f"  {n}-{pname}:", "    <<: *service", f"    image: {image}", f"    command: {flow(command)}"]
            if migrate or index:
                lines.append(f"    environment: *{n}-env")
            else:
                lines += [f"    build: {{context: .., dockerfile: deploy/docker/{n}.Dockerfile}}",
                          f"    environment: {anchor}", env]
            if migrate:
                lines += ["    depends_on:", "      <<: *after-migrations",
                          f"      {n}-migrate: {{condition: service_completed_successfully}}"]
            else:
                lines += ["    depends_on: [" + ", ".join(f"{o.name}-api" for o in service.backends) + "]"]
            if pname == "api":
                lines.append(f"    expose: [\"{service.port}\"]")
                lines += ["    healthcheck:",
                          f"      test: [\"CMD\", \"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{service.port}/readyz', timeout=3)\"]",
                          "      interval: 10s", "      retries: 30"]
            out.append("\n".join(lines) + "\n")
    out.append("""volumes:
  postgres-data:
  s3-data:
""")
    return "\n".join(out)


# --- Kubernetes ---------------------------------------------------------------------------------


def labels(service: str, component: str, indent: int) -> str:
    pad = " " * indent
    return (f"{pad}app.kubernetes.io/name: {service}\n{pad}app.kubernetes.io/component: {component}\n"
            f"{pad}app.kubernetes.io/part-of: scelle\n")


def env_block(service: Service, indent: int) -> str:
    pad = " " * indent
    text = f"{pad}envFrom:\n{pad}  - configMapRef: {{name: {service.name}-config}}\n{pad}env:\n"
    for variable, secret, key in k8s_secret_env(service):
        text += f"{pad}  - name: {variable}\n{pad}    valueFrom: {{secretKeyRef: {{name: {secret}, key: {key}}}}}\n"
    return text


def mounts_block(service: Service, indent: int) -> str:
    pad = " " * indent
    text = f"{pad}volumeMounts:\n"
    for name, _, _, path in k8s_volumes(service):
        text += f"{pad}  - {{name: {name}, mountPath: {path}, readOnly: true}}\n"
    return text


def volumes_block(service: Service, indent: int) -> str:
    pad = " " * indent
    text = f"{pad}volumes:\n"
    for name, kind, source, _ in k8s_volumes(service):
        ref = f"configMap: {{name: {source}}}" if kind == "configMap" else f"secret: {{secretName: {source}, defaultMode: 0o440}}"
        text += f"{pad}  - {{name: {name}, {ref}}}\n"
    return text.replace("0o440", "0440")


RESOURCES = {
    "api": ("100m", "256Mi", "1", "512Mi"),
    "api-large": ("250m", "512Mi", "2", "1Gi"),
    "worker": ("50m", "128Mi", "500m", "256Mi"),
    "job": ("50m", "128Mi", "1", "512Mi"),
}


def resources_block(kind: str, indent: int) -> str:
    pad = " " * indent
    rc, rm, lc, lm = RESOURCES[kind]
    return (f"{pad}resources:\n{pad}  requests: {{cpu: {rc}, memory: {rm}}}\n"
            f"{pad}  limits: {{cpu: {q(lc) if lc.isdigit() else lc}, memory: {lm}}}\n")


def pod_spec(service: Service, component: str, args: list[str], indent: int, *, restart: str | None = None,
             api: bool = False) -> str:
    pad = " " * indent
    n = service.name
    text = f"{pad}serviceAccountName: {n}\n{pad}automountServiceAccountToken: false\n"
    if restart:
        text += f"{pad}restartPolicy: {restart}\n"
    if api:
        # The API's workers may be in the middle of a long upload: give them the time to finish.
        grace = 3600 if service.long_requests else 30
        text += f"{pad}terminationGracePeriodSeconds: {grace}\n"
    text += f"{pad}containers:\n{pad}  - name: main\n{pad}    image: scelle/{n}:{IMAGE_TAG}\n"
    text += f"{pad}    args: {flow(args)}\n"
    if api:
        text += f"{pad}    ports: [{{name: http, containerPort: {service.port}}}]\n"
        text += (f"{pad}    livenessProbe:\n{pad}      httpGet: {{path: /healthz, port: http}}\n"
                 f"{pad}      periodSeconds: 10\n{pad}      timeoutSeconds: 3\n{pad}      failureThreshold: 6\n")
        text += (f"{pad}    readinessProbe:\n{pad}      httpGet: {{path: /readyz, port: http}}\n"
                 f"{pad}      periodSeconds: 5\n{pad}      timeoutSeconds: 3\n{pad}      failureThreshold: 3\n")
    text += env_block(service, indent + 4)
    text += mounts_block(service, indent + 4)
    kind = ("api-large" if service.long_requests else "api") if api else ("job" if restart else "worker")
    text += resources_block(kind, indent + 4)
    text += volumes_block(service, indent)
    return text


def deployment(service: Service, component: str, args: list[str], replicas: int, *, api: bool = False) -> str:
    n = service.name
    strategy = ""
    if component == "relay":
        # One relay at a time: Recreate never runs the old and new relay together.
        strategy = "  strategy: {type: Recreate}\n"
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {n}-{component}\n  labels:\n"
            + labels(n, component, 4)
            + f"spec:\n  replicas: {replicas}\n  revisionHistoryLimit: 3\n" + strategy
            + f"  selector:\n    matchLabels:\n      app.kubernetes.io/name: {n}\n      app.kubernetes.io/component: {component}\n"
            + "  template:\n    metadata:\n      labels:\n" + labels(n, component, 8)
            + "    spec:\n" + pod_spec(service, component, args, 6, api=api))


def migration_job(service: Service) -> str:
    n = service.name
    return (f"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {n}-migrate\n  labels:\n" + labels(n, "migrate", 4)
            + "  annotations:\n    # Apply before the Deployments roll (deploy/README.md, \"Upgrades\").\n"
            + "    scelle.fr/run-before: deployments\n"
            + "spec:\n  backoffLimit: 3\n  activeDeadlineSeconds: 1800\n  ttlSecondsAfterFinished: 86400\n"
            + "  template:\n    metadata:\n      labels:\n" + labels(n, "migrate", 8)
            + "    spec:\n" + pod_spec(service, "migrate", ["migrate"], 6, restart="OnFailure"))


def cronjob(service: Service, job: str, schedule: str, command: list[str]) -> str:
    n = service.name
    return (f"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {n}-{job}\n  labels:\n" + labels(n, "cron", 4)
            + f"spec:\n  schedule: {q(schedule)}\n  timeZone: Europe/Paris\n  concurrencyPolicy: Forbid\n"
            + "  startingDeadlineSeconds: 3600\n  successfulJobsHistoryLimit: 3\n  failedJobsHistoryLimit: 5\n"
            + "  jobTemplate:\n    spec:\n      backoffLimit: 2\n      activeDeadlineSeconds: 7200\n"
            + "      template:\n        metadata:\n          labels:\n" + labels(n, "cron", 12)
            + "        spec:\n" + pod_spec(service, "cron", ["cron", *command], 10, restart="OnFailure"))


def k8s_service(service: Service) -> str:
    n = service.name
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {n}\n  labels:\n" + labels(n, "api", 4)
            + f"spec:\n  selector:\n    app.kubernetes.io/name: {n}\n    app.kubernetes.io/component: api\n"
            + f"  ports:\n    - {{name: http, port: {service.port}, targetPort: http}}\n")


def service_account(service: Service) -> str:
    n = service.name
    return (f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {n}\n  labels:\n" + labels(n, "service", 4)
            + "automountServiceAccountToken: false\n")


def pdb(service: Service) -> str:
    n = service.name
    return (f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {n}-api\n  labels:\n"
            + labels(n, "api", 4)
            + f"spec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {n}\n"
            + "      app.kubernetes.io/component: api\n")


def egress_rule(dependency: str, ports: list[tuple[str, int]]) -> str:
    text = f"    # {dependency}\n    - to:\n        - podSelector: {{matchLabels: {{scelle.fr/dependency: {dependency}}}}}\n"
    text += "      ports:\n" + "".join(f"        - {{protocol: {proto}, port: {port}}}\n" for proto, port in ports)
    return text


def network_policies(service: Service, callers: list[str]) -> str:
    """The service's own policy: ingress to its API from its callers only (the gateway, and the
    portal, which calls the APIs with the caller's token), egress to its database and the broker
    (rules 0 and 1: overlays/prod retargets them by the label), or to the other APIs for the
    portal; then one policy per optional dependency (S3, SMTP), which an overlay can retarget
    with one patch each."""
    n = service.name
    ingress = ""
    if service.has("api"):
        peers = "".join(f"        - podSelector: {{matchLabels: {{app.kubernetes.io/name: {c}}}}}\n"
                        for c in callers if c != n)
        ingress = ("  ingress:\n    # Only the gateway (and the portal) reach the API; only the API listens.\n"
                   f"    - from:\n{peers}      ports:\n        - {{protocol: TCP, port: {service.port}}}\n")
    egress = ""
    kind = "none"
    if service.has("migrate") and service.uses_broker:
        kind = "database-broker"
        egress = egress_rule("database", [("TCP", 5432)]) + egress_rule("broker", [("TCP", 5672)])
    for other in service.backends:
        kind = "backends"
        egress += (f"    # {other.name}'s API\n    - to:\n        - podSelector: {{matchLabels: "
                   f"{{app.kubernetes.io/name: {other.name}, app.kubernetes.io/component: api}}}}\n"
                   f"      ports:\n        - {{protocol: TCP, port: {other.port}}}\n")
    docs = [
        f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {n}\n  labels:\n"
        + labels(n, "network", 4) + f"    scelle.fr/egress: {kind}\n"
        + f"spec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: {n}\n"
        + "  policyTypes: [Ingress, Egress]\n" + ingress + ("  egress:\n" + egress if egress else "")
    ]
    extra = []
    if service.has("s3"):
        extra.append(("s3", [("TCP", 8333)]))
    if service.has("smtp"):
        extra.append(("smtp", [("TCP", 1025)]))
    for dependency, ports in extra:
        docs.append(
            f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {n}-egress-{dependency}\n  labels:\n"
            + labels(n, "network", 4) + f"    scelle.fr/egress: {dependency}\n"
            + f"spec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: {n}\n"
            + "  policyTypes: [Egress]\n  egress:\n" + egress_rule(dependency, ports)
        )
    return "---\n".join(docs)


def hpa(service: Service) -> str:
    n = service.name
    return (f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {n}-api\n  labels:\n"
            + labels(n, "api", 4)
            + f"spec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {n}-api}}\n"
            + "  minReplicas: 2\n  maxReplicas: 10\n  metrics:\n    - type: Resource\n"
            + "      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}\n"
            + "  behavior:\n    # Uploads last minutes: scale down slowly.\n"
            + "    scaleDown: {stabilizationWindowSeconds: 600}\n")


def k8s_files(service: Service, callers: list[str]) -> dict[str, str]:
    n = service.name
    deployments = [deployment(service, pname, args, 2 if pname == "api" else 1, api=pname == "api")
                   for pname, args in service.processes]
    crons = [cronjob(service, job, schedule, command) for job, schedule, command in CRONJOBS.get(n, [])]
    if service.has("migrate"):  # a database, hence an audit chain
        crons.append(cronjob(service, "verify-audit", AUDIT_SCHEDULE, ["verify-audit"]))
    files = {
        "config.env": "".join(f"{key}={value}\n" for key, value in k8s_config(service)),
        "deployments.yaml": "---\n".join(deployments),
        "service.yaml": "---\n".join([k8s_service(service), service_account(service), pdb(service)]),
        "networkpolicy.yaml": network_policies(service, callers),
    }
    if service.has("migrate"):
        files["migrate-job.yaml"] = migration_job(service)
    if crons:
        files["cronjobs.yaml"] = "---\n".join(crons)
    resources = [name for name in ("deployments.yaml", "migrate-job.yaml", "cronjobs.yaml", "service.yaml",
                                   "networkpolicy.yaml") if name in files]
    if n == "documents":
        files["hpa.yaml"] = hpa(service)
        resources.append("hpa.yaml")
    files["kustomization.yaml"] = (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        f"resources: {flow(resources)}\n"
        f"configMapGenerator:\n  - name: {n}-config\n    envs: [config.env]\n"
        f"    options:\n      labels:\n" + labels(n, "config", 8)
    )
    return {name: (HEADER if not name.endswith(".env") else "# " + HEADER[2:]) + text for name, text in files.items()}


def gateway_files(services: list[Service]) -> dict[str, str]:
    apis = [s for s in services if s.has("api")]
    upstreams = " ".join(f"{s.name}={s.name}:{s.port}" for s in apis)
    egress = "".join(
        f"    - to:\n        - podSelector: {{matchLabels: {{app.kubernetes.io/name: {s.name}, app.kubernetes.io/component: api}}}}\n"
        f"      ports: [{{protocol: TCP, port: {s.port}}}]\n" for s in apis)
    deployment_yaml = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway
  labels:
{labels("gateway", "gateway", 4)}spec:
  replicas: 2
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: gateway
      app.kubernetes.io/component: gateway
  template:
    metadata:
      labels:
{labels("gateway", "gateway", 8)}    spec:
      serviceAccountName: gateway
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: 330
      # The reloader sends SIGHUP to nginx (pid file in the shared /tmp) when gateway-tls changes.
      shareProcessNamespace: true
      containers:
        - name: main
          image: scelle/gateway:{IMAGE_TAG}
          ports: [{{name: https, containerPort: {GATEWAY_PORT}}}]
          env:
            - {{name: SCELLE_GATEWAY_SERVICES, value: {q(upstreams)}}}
            - {{name: SCELLE_GATEWAY_SERVER_NAMES, value: scelle.example.fr}}
            - {{name: SCELLE_GATEWAY_MAX_BODY, value: 5g}}
            - {{name: SCELLE_GATEWAY_OBJECT_STORE, value: {OBJECT_STORE}}}
          # TCP only: every HTTP path but /api/<service>/v1/ is a 404 problem, and the API
          # paths need a client certificate.
          livenessProbe:
            tcpSocket: {{port: https}}
            periodSeconds: 10
          readinessProbe:
            tcpSocket: {{port: https}}
            periodSeconds: 5
          volumeMounts:
            - {{name: tls, mountPath: /etc/scelle/pki, readOnly: true}}
            - {{name: gateway-secret, mountPath: /etc/scelle/gateway-secret, readOnly: true}}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: "2", memory: 512Mi}}
        - name: reloader
          image: scelle/gateway:{IMAGE_TAG}
          args: [reload-on-change]
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            privileged: false
            capabilities: {{drop: [ALL]}}
          volumeMounts:
            - {{name: tls, mountPath: /etc/scelle/pki, readOnly: true}}
            - {{name: tmp, mountPath: /tmp}}
          resources:
            requests: {{cpu: 5m, memory: 16Mi}}
            limits: {{cpu: 100m, memory: 64Mi}}
      volumes:
        # server.pem, server.key.pem, trusted-clients.pem, crls.pem (deploy/gateway/README.md)
        - {{name: tls, secret: {{secretName: gateway-tls, defaultMode: 0440}}}}
        - {{name: gateway-secret, secret: {{secretName: scelle-gateway-secret, defaultMode: 0440}}}}
"""
    service_yaml = f"""apiVersion: v1
kind: Service
metadata:
  name: gateway
  labels:
{labels("gateway", "gateway", 4)}spec:
  type: LoadBalancer
  # The client's address must reach nginx (the principal's ip claim, the access log).
  externalTrafficPolicy: Local
  selector:
    app.kubernetes.io/name: gateway
    app.kubernetes.io/component: gateway
  ports:
    - {{name: https, port: 443, targetPort: https}}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: gateway
  labels:
{labels("gateway", "gateway", 4)}automountServiceAccountToken: false
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: gateway
  labels:
{labels("gateway", "gateway", 4)}spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: gateway
      app.kubernetes.io/component: gateway
"""
    netpol_yaml = f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: gateway
  labels:
{labels("gateway", "network", 4)}spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: gateway
  policyTypes: [Ingress, Egress]
  ingress:
    # Anyone may knock: TLS and client certificates decide.
    - ports: [{{protocol: TCP, port: {GATEWAY_PORT}}}]
  egress:
{egress}---
# Downloads offloaded by the vault are streamed from S3 by the gateway (its /_scelle/s3/ location).
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: gateway-egress-s3
  labels:
{labels("gateway", "network", 4)}    scelle.fr/egress: s3
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: gateway
  policyTypes: [Egress]
  egress:
{egress_rule("s3", [("TCP", 8333)])}"""
    kustomization = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                     "resources: [deployment.yaml, service.yaml, networkpolicy.yaml]\n")
    files = {"deployment.yaml": deployment_yaml, "service.yaml": service_yaml, "networkpolicy.yaml": netpol_yaml,
             "kustomization.yaml": kustomization}
    return {name: HEADER + text for name, text in files.items()}


BASE_KUSTOMIZATION = """\
# Every Scellé object, without the servers it needs (overlays/dev adds in-cluster ones,
# overlays/prod points at managed ones). Secrets are referenced by name only: deploy/README.md
# lists them.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: scelle
resources:
  - namespace.yaml
  - networkpolicy-defaults.yaml
{resources}  - gateway
components:
  # restricted security context, /tmp emptyDir: on every container named main
  - ../components/restricted
"""


def outputs() -> dict[Path, str]:
    services = load_services()
    files: dict[Path, str] = {}
    callers = ["gateway", *(s.name for s in services if s.has("backends"))]
    for service in services:
        files[DEPLOY / "docker" / f"{service.name}.Dockerfile"] = dockerfile(service)
        for name, text in k8s_files(service, callers).items():
            files[DEPLOY / "k8s" / "base" / service.name / name] = text
    for name, text in gateway_files(services).items():
        files[DEPLOY / "k8s" / "base" / "gateway" / name] = text
    files[DEPLOY / "compose.yaml"] = compose(services)
    files[DEPLOY / "k8s" / "base" / "kustomization.yaml"] = HEADER + BASE_KUSTOMIZATION.format(
        resources="".join(f"  - {s.name}\n" for s in services))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a generated file is missing or stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    generated = set(outputs())
    for folder in {path.parent for path in generated if path.parent.parent.name == "base"}:
        for path in folder.iterdir():
            if path not in generated:
                stale.append(f"{path.relative_to(ROOT)} (not generated any more: delete it)")
    if stale:
        print("stale generated files (run python deploy/generate.py):\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
