"""The HTTP conventions on a small app built with create_service_app, against the real database."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import marshmallow as ma
import pytest
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from scelle_common.config import ServiceSettings
from scelle_common.http import Problem, create_service_app, current_principal, public
from scelle_common.runtime import ServiceRuntime

blueprint = Blueprint("things", __name__, url_prefix="/v1/things")


class ThingSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))
    count = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))


@blueprint.route("")
class Things(MethodView):
    @blueprint.arguments(ThingSchema)
    @blueprint.response(201, ThingSchema)
    def post(self, thing):
        return thing

    def get(self):
        principal = current_principal()
        return {"account_id": principal.account_id, "profile": principal.profile}


@blueprint.route("/conflict")
def conflict():
    raise Problem(409, "thing-locked", "Chose verrouillée", detail="Déjà verrouillée le 2026-11-24.")


@blueprint.route("/crash")
def crash():
    raise RuntimeError("secret internals /etc/passwd SELECT * FROM accounts")


@blueprint.route("/database-clock")
def database_clock():
    with current_app.extensions["scelle_runtime"].unit_of_work() as uow:
        return {"now": uow.session.execute(text("SELECT now()")).scalar_one().isoformat()}


@blueprint.route("/open")
@public
def open_to_all():
    return {"open": True}


class Settings(ServiceSettings):
    env_prefix: ClassVar[str] = "THINGS_"


@pytest.fixture
def client(database_url, rabbitmq_url, principal_signer):
    settings = Settings(database_url=database_url, broker_url=rabbitmq_url, jwks=principal_signer.jwks)
    runtime = ServiceRuntime.build("things", Path(__file__).parent, settings)
    app = create_service_app(runtime, blueprints=[blueprint])
    yield app.test_client()
    runtime.close()


def test_a_protected_route_refuses_a_request_without_principal(client):
    response = client.get("/v1/things")
    assert response.status_code == 401
    assert response.get_json(force=True)["type"] == "/problems/unauthenticated"


def test_a_protected_route_refuses_a_forged_principal(client, principal_signer):
    token = principal_signer.sign()
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = client.get("/v1/things", headers={"X-Scelle-Principal": forged})
    assert response.status_code == 401
    assert response.get_json(force=True)["type"] == "/problems/invalid-principal"


def test_a_protected_route_refuses_an_expired_principal(client, principal_signer):
    response = client.get("/v1/things", headers={"X-Scelle-Principal": principal_signer.sign(issued_at=1_700_000_000)})
    assert response.get_json(force=True)["detail"] == "expired token"


def test_a_valid_principal_reaches_the_view(client, principal_signer):
    response = client.get("/v1/things", headers={"X-Scelle-Principal": principal_signer.sign(account_id="acc-7", profile="greffier")})
    assert response.status_code == 200
    assert response.get_json() == {"account_id": "acc-7", "profile": "greffier"}


def test_a_public_route_needs_no_principal(client):
    assert client.get("/v1/things/open").get_json() == {"open": True}


def test_invalid_input_is_a_422_problem_listing_each_field(client, principal_signer):
    response = client.post("/v1/things", json={"name": "", "count": 0},
                           headers={"X-Scelle-Principal": principal_signer.sign()})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["type"] == "/problems/validation-failed"
    assert {error["pointer"] for error in body["errors"]} == {"/name", "/count"}


def test_a_domain_problem_keeps_its_type_and_detail(client, principal_signer):
    response = client.get("/v1/things/conflict", headers={"X-Scelle-Principal": principal_signer.sign()})
    body = response.get_json(force=True)
    assert (response.status_code, body["type"], body["detail"]) == (409, "/problems/thing-locked", "Déjà verrouillée le 2026-11-24.")


def test_an_unexpected_error_is_a_500_problem_that_leaks_nothing(client, principal_signer):
    response = client.get("/v1/things/crash", headers={"X-Scelle-Principal": principal_signer.sign()})
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    text = response.get_data(as_text=True)
    assert "passwd" not in text and "SELECT" not in text and "Traceback" not in text


def test_a_database_outage_is_a_503_problem_and_the_same_app_recovers_when_it_is_back(
    private_postgres, rabbitmq_url, principal_signer
):
    settings = Settings(database_url=private_postgres.create_database("things"), broker_url=rabbitmq_url,
                        jwks=principal_signer.jwks)
    runtime = ServiceRuntime.build("things", Path(__file__).parent, settings)
    client = create_service_app(runtime, blueprints=[blueprint]).test_client()
    headers = {"X-Scelle-Principal": principal_signer.sign()}
    try:
        assert client.get("/v1/things/database-clock", headers=headers).status_code == 200

        private_postgres.stop()
        down = client.get("/v1/things/database-clock", headers=headers)
        assert (down.status_code, down.mimetype) == (503, "application/problem+json")
        assert down.get_json(force=True)["type"] == "/problems/database-unavailable"
        assert down.headers["Retry-After"] == "30" and "Traceback" not in down.get_data(as_text=True)

        private_postgres.start()
        assert client.get("/v1/things/database-clock", headers=headers).status_code == 200
    finally:
        runtime.close()


def test_the_openapi_document_describes_the_routes_but_not_operations(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    assert "/v1/things" in paths
    assert "/healthz" not in paths and "/metrics" not in paths


def test_a_registrant_token_is_refused_outside_identity(client, principal_signer):
    token = principal_signer.sign(account_id="cert:" + "ab" * 32, profile="registrant")
    response = client.get("/v1/things", headers={"X-Scelle-Principal": token})
    assert response.status_code == 401
    assert response.get_json(force=True)["type"] == "/problems/certificate-not-registered"
