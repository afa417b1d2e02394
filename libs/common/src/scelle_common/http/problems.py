"""RFC 9457 problem details: the one error shape of every Scellé API.

``type`` is a stable relative URI ``/problems/<slug>``; ``title`` a short
human sentence (French or English); ``instance`` the request id, so support can
find the logs of a failed call. Nothing internal (stack, SQL, path) ever leaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Response, g, json

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Titles for the errors raised by the HTTP layer itself, by status code.
_HTTP_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Requête invalide"),
    401: ("unauthenticated", "Authentification requise"),
    403: ("forbidden", "Accès refusé"),
    404: ("not-found", "Ressource introuvable"),
    405: ("method-not-allowed", "Méthode non autorisée"),
    406: ("not-acceptable", "Format de réponse non disponible"),
    409: ("conflict", "Conflit avec l'état de la ressource"),
    411: ("length-required", "Longueur de la requête requise"),
    413: ("payload-too-large", "Requête trop volumineuse"),
    415: ("unsupported-media-type", "Type de contenu non pris en charge"),
    422: ("validation-failed", "Données invalides"),
    429: ("too-many-requests", "Trop de requêtes"),
    500: ("internal-error", "Erreur interne"),
    503: ("unavailable", "Service momentanément indisponible"),
}


@dataclass
class Problem(Exception):
    """An error to answer as problem+json; raise it from a view or map a domain error to it."""

    status: int
    slug: str
    title: str
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    extensions: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.slug}: {self.detail or self.title}"

    @classmethod
    def for_status(cls, status: int, detail: str | None = None, **kwargs: Any) -> Problem:
        """The standard problem for an HTTP status raised by the framework."""
        slug, title = _HTTP_PROBLEMS.get(status, ("http-error", "Erreur HTTP"))
        return cls(status=status, slug=slug, title=title, detail=detail, **kwargs)

    def to_response(self) -> Response:
        body: dict[str, Any] = {
            "type": f"/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        body["instance"] = f"/requests/{getattr(g, 'request_id', 'unknown')}"
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extensions)
        response = Response(json.dumps(body, ensure_ascii=False), status=self.status, mimetype=PROBLEM_CONTENT_TYPE)
        response.headers.update(dict(self.headers))
        return response


def validation_errors(messages: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Flatten webargs/marshmallow messages ``{location: {field: [msg]}}`` into ``errors[]``.

    Each entry has ``location`` (json, query, headers…), ``pointer`` (JSON
    pointer to the field) and ``detail``.
    """
    errors: list[dict[str, Any]] = []

    def walk(location: str, path: list[str], node: Any) -> None:
        if isinstance(node, Mapping):
            for key, child in node.items():
                walk(location, [*path, str(key)], child)
        elif isinstance(node, list) and all(isinstance(item, str) for item in node):
            for message in node:
                errors.append({"location": location, "pointer": "/" + "/".join(path), "detail": message})
        else:
            errors.append({"location": location, "pointer": "/" + "/".join(path), "detail": str(node)})

    for location, fields in messages.items():
        walk(str(location), [], fields)
    return errors
