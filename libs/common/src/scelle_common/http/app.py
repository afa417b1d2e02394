"""The Flask app factory every service builds its API with."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import marshmallow as ma
import structlog
from flask import Flask, Response, g, request
from flask_smorest import Api, Blueprint
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from scelle_common.config import ConfigError
from scelle_common.http.health import ReadinessCheck
from scelle_common.http.principal import (
    PRINCIPAL_HEADER,
    REGISTRANT_PROFILE,
    InvalidPrincipal,
    PrincipalVerifier,
)
from scelle_common.http.problems import Problem, validation_errors
from scelle_common.logging import get_logger

if TYPE_CHECKING:
    from scelle_common.runtime import ServiceRuntime

log = get_logger(__name__)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_OPERATIONAL_ENDPOINTS = {"healthz", "readyz", "metrics", "api-docs.openapi_json"}

_REQUESTS = Counter("scelle_http_requests_total", "HTTP requests", ["service", "method", "endpoint", "status"])
_LATENCY = Histogram("scelle_http_request_seconds", "HTTP request duration", ["service", "method", "endpoint"])


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (documentation of every error response)."""

    type = ma.fields.String(metadata={"description": "stable problem type, /problems/<slug>"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    instance = ma.fields.String(metadata={"description": "the request id"})
    errors = ma.fields.List(ma.fields.Dict(), metadata={"description": "field validation errors"})


class ScelleApi(Api):
    """flask-smorest's Api answering every HTTP error as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = validation_errors(data["messages"]) if "messages" in data else None
        detail = data.get("message") if isinstance(data.get("message"), str) else None
        if detail is None and status not in (404, 405, 500) and error.description:
            detail = error.description
        return Problem.for_status(status, detail=detail, errors=errors, headers=data.get("headers") or {}).to_response()


def create_service_app(
    runtime: ServiceRuntime,
    *,
    blueprints: Iterable[Blueprint] = (),
    title: str | None = None,
    verifier: PrincipalVerifier | None = None,
    accepts_registrants: bool = False,
) -> Flask:
    """A Flask app for the runtime's service with Scellé's HTTP conventions.

    Every view requires a valid ``X-Scelle-Principal`` unless marked
    :func:`~scelle_common.http.principal.public`; operational endpoints are public
    and not in the OpenAPI document. The runtime is kept in
    ``app.extensions["scelle_runtime"]`` for the views. Registrant tokens
    (a trusted certificate with no account yet) are refused unless
    ``accepts_registrants`` — only identity's registration routes take them.
    """
    service, settings = runtime.service, runtime.settings
    if verifier is None:
        if not settings.jwks:
            raise ConfigError(f"{settings.variable('jwks')} is required (or {settings.variable('jwks')}_FILE)")
        verifier = PrincipalVerifier(settings.jwks)
    app = Flask(f"scelle_{service}")
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        API_TITLE=title or f"Scellé {service}",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    api = ScelleApi(app, spec_kwargs={"info": {"description": f"API du service {service} de Scellé"}})
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.extensions["scelle_api"] = api
    app.extensions["scelle_runtime"] = runtime

    _install_request_context(app, service, settings.max_request_bytes)
    _install_principal_check(app, verifier, accepts_registrants)
    _install_error_handlers(app)
    _install_operational_endpoints(app, service, runtime.readiness())
    return app


def _install_request_context(app: Flask, service: str, max_request_bytes: int) -> None:
    @app.before_request
    def bind_request() -> Response | None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started_at = time.perf_counter()
        structlog.contextvars.bind_contextvars(
            request_id=g.request_id,
            correlation_id=request.headers.get("X-Correlation-Id") or g.request_id,
        )
        # Refuse oversized bodies up front, before a view (or nginx' streaming) reads them.
        if request.content_length is not None and request.content_length > max_request_bytes:
            return Problem.for_status(
                413, detail=f"Le corps de la requête dépasse {max_request_bytes} octets."
            ).to_response()
        return None

    @app.after_request
    def finish_request(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        if request.endpoint not in _OPERATIONAL_ENDPOINTS:
            _REQUESTS.labels(service, request.method, endpoint, str(response.status_code)).inc()
            _LATENCY.labels(service, request.method, endpoint).observe(time.perf_counter() - g.get("started_at", 0))
            log.info("http.request", method=request.method, path=request.path, status=response.status_code)
        return response

    @app.teardown_request
    def unbind_request(_error: BaseException | None) -> None:
        structlog.contextvars.unbind_contextvars("request_id", "correlation_id", "account_id")


def _install_principal_check(app: Flask, verifier: PrincipalVerifier, accepts_registrants: bool) -> None:
    @app.before_request
    def require_principal() -> Response | None:
        if request.endpoint is None or request.endpoint in _OPERATIONAL_ENDPOINTS:
            return None  # 404/405 are answered by the error handlers
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "scelle_public", False):
            return None
        token = request.headers.get(PRINCIPAL_HEADER)
        if not token:
            return Problem.for_status(401, detail="Aucun jeton d'identité n'accompagne la requête.").to_response()
        try:
            principal = verifier.verify(token)
        except InvalidPrincipal as exc:
            log.warning("principal.rejected", reason=str(exc))
            return Problem(401, "invalid-principal", "Jeton d'identité refusé", detail=str(exc)).to_response()
        if principal.profile == REGISTRANT_PROFILE and not accepts_registrants:
            log.warning("principal.rejected", reason="registrant token outside identity")
            return Problem(401, "certificate-not-registered", "Certificat non inscrit",
                           detail="Inscrivez-vous avant d'utiliser ce service.").to_response()
        g.principal = principal
        structlog.contextvars.bind_contextvars(account_id=g.principal.account_id)
        return None


def _install_error_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def answer_problem(problem: Problem) -> Response:
        return problem.to_response()

    @app.errorhandler(Exception)
    def answer_unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return app.extensions["scelle_api"].handle_http_exception(error)
        if isinstance(error, OperationalError):
            # The database is down or restarting: the caller may retry, and the pool's pre-ping
            # reconnects once it is back, so this is an outage to report, not a bug.
            log.warning("http.database_unavailable", error=type(error.orig).__name__)
            return Problem(503, "database-unavailable", "Service momentanément indisponible",
                           detail="La base de données ne répond pas. Réessayez dans quelques instants.",
                           headers={"Retry-After": "30"}).to_response()
        log.exception("http.unhandled_error")
        return Problem.for_status(500).to_response()


def _install_operational_endpoints(app: Flask, service: str, readiness: Mapping[str, ReadinessCheck]) -> None:
    @app.get("/healthz", endpoint="healthz")
    def healthz() -> tuple[dict[str, Any], int]:
        return {"status": "ok", "service": service}, 200

    @app.get("/readyz", endpoint="readyz")
    def readyz() -> Response | tuple[dict[str, Any], int]:
        checks: dict[str, str] = {}
        for name, check in readiness.items():
            try:
                check()
                checks[name] = "ok"
            except Exception as exc:  # a readiness probe reports, it never raises
                log.warning("readiness.failed", check=name, error=type(exc).__name__)
                checks[name] = "unavailable"
        if all(state == "ok" for state in checks.values()):
            return {"status": "ready", "checks": checks}, 200
        return Problem(
            503, "not-ready", "Service pas encore prêt", detail="Une dépendance ne répond pas.",
            extensions={"checks": checks},
        ).to_response()

    @app.get("/metrics", endpoint="metrics")
    def metrics() -> Response:
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
