"""Every service skeleton: migrations agree with models, HTTP conventions hold, against real servers."""

from __future__ import annotations

import importlib
import json

import pytest
from alembic import command
from alembic.config import Config

from scelle_common.testing.servers import free_port
from tests.conftest import DATA_SERVICES, ROOT

pytestmark = pytest.mark.parametrize("service", DATA_SERVICES)


def test_every_data_owning_service_is_covered(service):
    assert set(DATA_SERVICES) >= {"identity", "expertise", "documents", "designation", "billing", "notification"}


def settings_for(service, **values):
    config = importlib.import_module(f"scelle_{service}.config")
    return config.Settings(**values)


def create_app(service, settings):
    return importlib.import_module(f"scelle_{service}.entrypoints.flask_app").create_app(settings)


@pytest.fixture
def database_url(service, database_factory):
    return database_factory(ROOT / "services" / service / "migrations", hint=service)


@pytest.fixture
def make_client(service, database_url, rabbitmq_url, principal_signer):
    apps = []

    def make(**overrides):
        values = dict(database_url=database_url, broker_url=rabbitmq_url, jwks=principal_signer.jwks,
                      max_request_bytes=1024) | overrides
        apps.append(create_app(service, settings_for(service, **values)))
        return apps[-1].test_client()

    yield make
    for app in apps:
        app.extensions["scelle_runtime"].close()


@pytest.fixture
def client(make_client):
    return make_client()


def assert_problem(response, status, slug):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["title"]
    assert body["instance"] == f"/requests/{response.headers['X-Request-Id']}"
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_migrations_build_the_schema_the_models_describe(service, database_url):
    config = Config()
    config.set_main_option("script_location", str(ROOT / "services" / service / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.check(config)  # raises when models and migrations disagree


def test_health_and_readiness_answer_without_a_principal(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readiness_fails_as_a_problem_when_the_broker_is_unreachable(make_client):
    client = make_client(broker_url=f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F")
    body = assert_problem(client.get("/readyz"), 503, "not-ready")
    assert body["checks"] == {"database": "ok", "broker": "unavailable"}


def test_metrics_are_exposed_for_prometheus(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"scelle_http_requests_total" in response.data


def test_the_openapi_document_is_generated_as_3_1(client):
    document = json.loads(client.get("/openapi.json").data)
    assert document["openapi"] == "3.1.0"


def test_an_unknown_route_is_a_404_problem(client):
    assert_problem(client.get("/v1/nothing-here"), 404, "not-found")


def test_a_wrong_method_is_a_405_problem(client):
    assert_problem(client.delete("/healthz"), 405, "method-not-allowed")


def test_an_oversized_body_is_a_413_problem(client):
    assert_problem(client.post("/v1/anything", data=b"x" * 2048), 413, "payload-too-large")


def test_an_incoming_request_id_is_kept(client):
    response = client.get("/v1/nothing-here", headers={"X-Request-Id": "req-0123456789"})
    assert response.headers["X-Request-Id"] == "req-0123456789"
