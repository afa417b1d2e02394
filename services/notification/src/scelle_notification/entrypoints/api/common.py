"""What every notification view shares: the services, the caller, JSON rendering and the error table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, Response, current_app

from scelle_common.http import Problem, current_principal
from scelle_notification.domain.errors import Forbidden, InvalidRequest, NotFound, NotificationError
from scelle_notification.service_layer.context import Actor, Services

SERVICES_KEY = "scelle_notification"


def services() -> Services:
    return current_app.extensions[SERVICES_KEY]  # type: ignore[no-any-return]


def actor() -> Actor:
    principal = current_principal()
    return Actor(principal.account_id, principal.profile, principal.cert_fingerprint, principal.cert_serial,
                 principal.client_ip)


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


_PROBLEMS: list[tuple[type[NotificationError], int, str, str]] = [
    (NotFound, 404, "not-found", "Ressource introuvable"),
    (Forbidden, 403, "forbidden", "Accès refusé"),
    (InvalidRequest, 422, "validation-failed", "Données invalides"),
]


def install_error_table(app: Flask) -> None:
    @app.errorhandler(NotificationError)
    def answer(error: NotificationError) -> Response:
        for kind, status, slug, title in _PROBLEMS:
            if isinstance(error, kind):
                return Problem(status, slug, title, detail=error.detail).to_response()
        return Problem.for_status(500).to_response()
