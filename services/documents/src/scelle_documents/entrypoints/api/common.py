"""What every vault view shares: the services, the caller, JSON output and the one error table."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, request

from scelle_common.http import Problem, current_principal
from scelle_documents.domain.errors import (
    AccessDenied,
    Conflict,
    DocumentLocked,
    FileTooLarge,
    IdempotencyKeyReused,
    IncompleteUpload,
    InvalidFile,
    InvalidRequest,
    NotFound,
    StorageUnavailable,
    VaultError,
)
from scelle_documents.service_layer.handlers import Actor, Services

SERVICES_KEY = "scelle_documents"
STREAMING_ENDPOINTS = {"documents.deposit"}


def services() -> Services:
    return current_app.extensions[SERVICES_KEY]  # type: ignore[no-any-return]


def actor() -> Actor:
    principal = current_principal()
    return Actor(principal.account_id, principal.profile, principal.cert_fingerprint, principal.cert_serial,
                 principal.client_ip)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(type(value).__name__)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False, default=_default), status=status,
                        mimetype="application/json")
    response.headers.update(headers or {})
    return response


# Domain error → (status, title): the only place they meet HTTP.
_PROBLEMS: list[tuple[type[VaultError], int, str]] = [
    (NotFound, 404, "Ressource introuvable"),
    (AccessDenied, 403, "Accès refusé"),
    (DocumentLocked, 403, "Document verrouillé"),
    (FileTooLarge, 413, "Fichier trop volumineux"),
    (InvalidFile, 422, "Fichier refusé"),
    (InvalidRequest, 422, "Données invalides"),
    (IncompleteUpload, 400, "Envoi interrompu"),
    (IdempotencyKeyReused, 409, "Clé d'idempotence déjà utilisée"),
    (Conflict, 409, "Conflit avec l'état du document"),
    (StorageUnavailable, 503, "Stockage momentanément indisponible"),
]


def problem_for(error: VaultError) -> Problem:
    for kind, status, title in _PROBLEMS:
        if isinstance(error, kind):
            slug = "forbidden" if isinstance(error, AccessDenied) else error.slug
            extensions = {} if isinstance(error, NotFound) else dict(error.context)
            headers = {"Retry-After": "30"} if status == 503 else {}
            return Problem(status, slug, title, detail=error.detail, extensions=extensions, headers=headers)
    return Problem.for_status(500)


def install(app: Flask, json_max_bytes: int) -> None:
    @app.errorhandler(VaultError)
    def answer(error: VaultError) -> Response:
        return problem_for(error).to_response()

    @app.before_request
    def small_json_bodies() -> Response | None:
        # The body limit of the service is the largest deposit; every other route takes JSON only.
        if request.endpoint in STREAMING_ENDPOINTS:
            return None
        if request.content_length is not None and request.content_length > json_max_bytes:
            return Problem.for_status(413, detail=f"Le corps de la requête dépasse {json_max_bytes} octets."
                                      ).to_response()
        return None
