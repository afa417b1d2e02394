"""The portal's Flask app: French HTML pages behind the gateway.

Not built with ``scelle_common.http.create_service_app``: that factory needs a
:class:`~scelle_common.runtime.ServiceRuntime` (a database engine, outbox, readiness of the
database and broker) and answers problem+json; the portal owns no data and answers HTML. It
keeps the same rules: every page needs a valid ``X-Scelle-Principal`` (checked with the same
:class:`PrincipalVerifier` and JWKS), the request id is kept, ``/healthz`` and ``/readyz`` are
public and never routed by the gateway.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import structlog
from flask import Flask, Response, g, render_template, request
from werkzeug.exceptions import HTTPException

from scelle_common.config import ConfigError, load_settings
from scelle_common.http.principal import PRINCIPAL_HEADER, REGISTRANT_PROFILE, InvalidPrincipal, PrincipalVerifier
from scelle_common.logging import configure_logging, get_logger
from scelle_portal import labels
from scelle_portal.backends import BackendError, Backends, ServiceRefused
from scelle_portal.config import Settings
from scelle_portal.views import blueprint
from scelle_portal import expertise_view
from scelle_portal import administration, designation_form
from scelle_portal import search, statistics
from scelle_portal import account, registration

SERVICE = "portal"
log = get_logger(__name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_PUBLIC_ENDPOINTS = {"healthz", "readyz", "static"}


def create_app(settings: Settings | None = None, *, backends: Backends | None = None,
               verifier: PrincipalVerifier | None = None) -> Flask:
    settings = settings or load_settings(Settings)
    configure_logging(SERVICE, settings.log_level)
    if verifier is None:
        if not settings.jwks:
            raise ConfigError(f"{settings.variable('jwks')} is required (or {settings.variable('jwks')}_FILE)")
        verifier = PrincipalVerifier(settings.jwks)
    app = Flask("scelle_portal")
    app.config.update(MAX_CONTENT_LENGTH=settings.max_request_bytes)
    app.extensions["portal_settings"] = settings
    app.extensions["portal_backends"] = backends or Backends(settings)
    app.jinja_env.filters["date_fr"] = labels.french_date
    app.jinja_env.filters["datetime_fr"] = lambda value: labels.french_date(value, with_time=True)
    app.jinja_env.filters["size_fr"] = labels.file_size
    app.jinja_env.globals.update(labels=labels)
    app.jinja_env.autoescape = True
    app.register_blueprint(blueprint)
    app.register_blueprint(expertise_view.blueprint)
    app.register_blueprint(designation_form.blueprint)
    app.register_blueprint(administration.blueprint)
    app.register_blueprint(search.blueprint)
    app.register_blueprint(statistics.blueprint)
    app.register_blueprint(registration.blueprint)
    app.register_blueprint(account.blueprint)

    @app.before_request
    def bind_request() -> Response | None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=g.request_id)
        if request.endpoint in _PUBLIC_ENDPOINTS:
            return None
        token = request.headers.get(PRINCIPAL_HEADER)
        if not token:
            return error_page(401, "Certificat requis",
                              "Présentez un certificat client reconnu par Scellé pour accéder au portail.")
        try:
            principal = verifier.verify(token)
        except InvalidPrincipal as exc:
            log.warning("principal.rejected", reason=str(exc))
            return error_page(401, "Identité non reconnue",
                              "Votre session n'a pas pu être vérifiée. Rechargez la page ; si le problème "
                              "persiste, reconnectez-vous avec votre certificat.")
        if principal.profile == REGISTRANT_PROFILE and request.endpoint not in registration.REGISTRANT_ENDPOINTS:
            return registration.new_certificate_page()
        g.principal, g.token = principal, token
        structlog.contextvars.bind_contextvars(account_id=principal.account_id)
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                    "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.teardown_request
    def unbind(_error: BaseException | None) -> None:
        structlog.contextvars.unbind_contextvars("request_id", "account_id")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        titles = {403: ("Action refusée", "Cette action doit être faite depuis les pages de Scellé."),
                  404: ("Page introuvable", "Cette page n'existe pas ou n'est plus disponible."),
                  405: ("Action impossible", "Cette action n'est pas possible sur cette page."),
                  413: ("Fichier trop volumineux", "Le contenu envoyé dépasse la taille permise.")}
        title, detail = titles.get(code, ("Erreur", "La demande n'a pas pu être traitée."))
        return error_page(code, title, detail)

    @app.errorhandler(BackendError)
    def backend_error(error: BackendError) -> Response:
        if isinstance(error, ServiceRefused):
            return error_page(error.status if error.status in (400, 403, 404, 409, 422) else 400,
                              error.title, error.detail or "La demande n'a pas pu aboutir.")
        return error_page(503, "Service momentanément indisponible", error.message + " Réessayez dans un instant.")

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("http.unhandled_error")
        return error_page(500, "Erreur interne",
                          "Une erreur inattendue s'est produite. Réessayez ; si elle persiste, contactez "
                          "le support en citant la référence ci-dessous.")

    @app.get("/healthz", endpoint="healthz")
    def healthz() -> tuple[dict[str, Any], int]:
        return {"status": "ok", "service": SERVICE}, 200

    @app.get("/readyz", endpoint="readyz")
    def readyz() -> tuple[dict[str, Any], int]:
        # Stateless: ready as soon as it runs. The services it calls have their own probes, and a
        # page degrades gracefully when one is down.
        return {"status": "ready", "checks": {}}, 200

    return app


def error_page(status: int, title: str, detail: str) -> Response:
    """A whole French HTML page for an error (never JSON to a person)."""
    html = render_template("error.html", status=status, title=title, detail=detail)
    return Response(html, status=status, mimetype="text/html")
