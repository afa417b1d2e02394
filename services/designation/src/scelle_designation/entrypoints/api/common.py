"""What every designation view shares: the services, the caller, Idempotency-Key and the error table."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request

from scelle_common.http import Problem, current_principal
from scelle_designation.domain.errors import (
    Conflict,
    DesignationError,
    Forbidden,
    InvalidRequest,
    MissingForSending,
    NotFound,
    TooEarly,
)
from scelle_designation.service_layer.context import Actor, Services, run, run_idempotent
from scelle_designation.service_layer.integration_events import time
from scelle_designation.service_layer.unit_of_work import DesignationUnitOfWork

SERVICES_KEY = "scelle_designation"
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_DOC = {"parameters": [{"in": "header", "name": IDEMPOTENCY_HEADER, "required": False,
                                   "schema": {"type": "string", "maxLength": 200},
                                   "description": "retrying with the same key replays the first response"}]}
T = TypeVar("T")


def services() -> Services:
    return current_app.extensions[SERVICES_KEY]  # type: ignore[no-any-return]


def actor() -> Actor:
    """The caller, from the verified principal token."""
    principal = current_principal()
    return Actor(principal.account_id, principal.profile, principal.cert_fingerprint, principal.cert_serial,
                 principal.client_ip)


def execute(action: str, target: str, use_case: Callable[[DesignationUnitOfWork, datetime], T]) -> T:
    """Run a use case for the caller in one transaction (refusals audited)."""
    return run(services(), actor(), action, target, use_case)


def execute_creating(action: str, target: str, arguments: dict[str, Any],
                     use_case: Callable[[DesignationUnitOfWork, datetime], T],
                     render: Callable[[T], dict[str, Any]], status_code: int = 201) -> Response:
    """A creating POST; with an ``Idempotency-Key`` the first response is replayed on retries."""
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()[:200] or None
    fingerprint = hashlib.sha256(
        json.dumps([request.path, arguments], sort_keys=True, default=str).encode()).hexdigest()
    replay = run_idempotent(services(), actor(), action, target, key=key, request_hash=fingerprint,
                            use_case=use_case, render=lambda result: jsonable(render(result)),
                            status_code=status_code)
    response = Response(json.dumps(replay.body, ensure_ascii=False), status=replay.status_code,
                        mimetype="application/json")
    if key:
        response.headers[IDEMPOTENCY_HEADER] = key
    return response


def jsonable(body: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(body, default=_default))  # type: ignore[no-any-return]


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return time(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(type(value).__name__)


_CONFLICT_TITLES = {
    "designation-already-sent": "Désignation déjà envoyée",
    "designation-not-sent": "Désignation non envoyée",
    "designation-withdrawn": "Désignation retirée",
    "designation-already-answered": "Désignation déjà traitée",
    "reminder-too-early": "Relance trop rapprochée",
    "withdrawal-without-reminder": "Retrait impossible sans relance",
    "withdrawal-too-early": "Retrait trop rapproché de la dernière relance",
    "idempotency-key-reused": "Clé d'idempotence déjà utilisée",
}


def problem_for(error: DesignationError) -> Problem:
    """Domain error → problem+json: the only place they meet HTTP."""
    if isinstance(error, TooEarly):
        return Problem(409, error.slug, _CONFLICT_TITLES[error.slug], detail=error.detail,
                       extensions={"possible_at": time(error.possible_at)})
    if isinstance(error, Conflict):
        extensions = {"current_status": error.status} if error.status else {}
        return Problem(409, error.slug, _CONFLICT_TITLES.get(error.slug, "Conflit"), detail=error.detail,
                       extensions=extensions)
    if isinstance(error, InvalidRequest):
        errors = [{"location": "json", "pointer": pointer, "detail": message}
                  for pointer, message in error.fields.items()] or None
        if isinstance(error, MissingForSending):
            return Problem(422, "designation-incomplete", "Désignation incomplète", detail=error.detail,
                           errors=errors, extensions={"missing": error.missing})
        return Problem(422, "validation-failed", "Données invalides", detail=error.detail, errors=errors)
    if isinstance(error, NotFound):
        return Problem(404, "not-found", "Ressource introuvable", detail=error.detail)
    if isinstance(error, Forbidden):
        return Problem(403, "forbidden", "Accès refusé", detail=error.detail)
    return Problem.for_status(500)


def install_error_table(app: Flask) -> None:
    @app.errorhandler(DesignationError)
    def answer(error: DesignationError) -> Response:
        return problem_for(error).to_response()
