"""What every expertise view shares: the services, the caller, Idempotency-Key and the error table."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request

from scelle_common.http import Problem, current_principal
from scelle_expertise.domain.errors import (
    ConfirmationRequired,
    Conflict,
    ExpertiseError,
    Forbidden,
    IllegalTransition,
    InvalidRequest,
    NotFound,
)
from scelle_expertise.service_layer.context import Actor, Services, run, run_idempotent
from scelle_expertise.service_layer.unit_of_work import ExpertiseUnitOfWork

SERVICES_KEY = "scelle_expertise"
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


def execute(action: str, target: str, use_case: Callable[[ExpertiseUnitOfWork, datetime], T]) -> T:
    """Run a use case for the caller in one transaction (refusals audited)."""
    return run(services(), actor(), action, target, use_case)


def execute_creating(action: str, target: str, arguments: dict[str, Any],
                     use_case: Callable[[ExpertiseUnitOfWork, datetime], T],
                     render: Callable[[T], dict[str, Any]], status_code: int = 201) -> Response:
    """Run a creating POST; with an ``Idempotency-Key`` the first response is replayed on retries
    (the stored JSON is the response, so a replay is byte-for-byte the first answer)."""
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()[:200] or None
    fingerprint = hashlib.sha256(
        json.dumps([request.path, arguments], sort_keys=True, default=str).encode()).hexdigest()
    replay = run_idempotent(services(), actor(), action, target, key=key, request_hash=fingerprint,
                            use_case=use_case, render=lambda result: _jsonable(render(result)),
                            status_code=status_code)
    response = Response(json.dumps(replay.body, ensure_ascii=False), status=replay.status_code,
                        mimetype="application/json")
    if key:
        response.headers[IDEMPOTENCY_HEADER] = key
    return response


def _jsonable(body: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(body, default=_default))


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(type(value).__name__)


# Domain error → (status, problem slug, title): the only place they meet HTTP.
_PROBLEMS: list[tuple[type[ExpertiseError], int, str, str]] = [
    (InvalidRequest, 422, "validation-failed", "Données invalides"),
    (ConfirmationRequired, 422, "confirmation-required", "Confirmation requise"),
    (NotFound, 404, "not-found", "Ressource introuvable"),
    (Forbidden, 403, "forbidden", "Accès refusé"),
]
_CONFLICT_TITLES = {
    "illegal-status-transition": "Changement de statut impossible",
    "idempotency-key-reused": "Clé d'idempotence déjà utilisée",
    "expertise-terminee": "Expertise terminée",
}


def problem_for(error: ExpertiseError) -> Problem:
    if isinstance(error, IllegalTransition):
        return Problem(409, error.slug, _CONFLICT_TITLES[error.slug], detail=error.detail,
                       extensions={"current_status": error.current, "requested_status": error.target,
                                   "allowed_targets": error.allowed})
    if isinstance(error, Conflict):
        return Problem(409, error.slug, _CONFLICT_TITLES.get(error.slug, "Conflit avec l'état de l'expertise"),
                       detail=error.detail)
    for kind, status, slug, title in _PROBLEMS:
        if isinstance(error, kind):
            errors = None
            if isinstance(error, InvalidRequest) and error.fields:
                errors = [{"location": "json", "pointer": pointer, "detail": message}
                          for pointer, message in error.fields.items()]
            return Problem(status, slug, title, detail=error.detail, errors=errors)
    return Problem.for_status(500)


def install_error_table(app: Flask) -> None:
    @app.errorhandler(ExpertiseError)
    def answer(error: ExpertiseError) -> Response:
        return problem_for(error).to_response()
