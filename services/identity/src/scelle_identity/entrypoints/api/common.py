"""What every identity view shares: the services, the caller, and the one error table."""

from __future__ import annotations

from flask import Flask, Response, current_app

from scelle_common.http import Problem, current_principal
from scelle_identity.domain.errors import (
    Conflict,
    IdentityError,
    InvalidRequest,
    LinkUnusable,
    MailUnavailable,
    NotAllowed,
    NotConfigured,
    NotFound,
)
from scelle_identity.domain.profiles import REGISTRANT
from scelle_identity.service_layer.context import Actor, Services

SERVICES_KEY = "scelle_identity"


def services() -> Services:
    return current_app.extensions[SERVICES_KEY]  # type: ignore[no-any-return]


def actor() -> Actor:
    """The caller, from the verified principal token (a registrant has no account id)."""
    principal = current_principal()
    account_id = None if principal.profile == REGISTRANT else principal.account_id
    return Actor(account_id, principal.profile, principal.cert_fingerprint, principal.cert_serial,
                 principal.client_ip)


def anonymous(client_ip: str | None = None) -> Actor:
    return Actor(None, "anonymous", client_ip=client_ip)


# Domain error → (status, problem slug, title): the only place they meet HTTP.
_PROBLEMS: dict[type[IdentityError], tuple[int, str, str]] = {
    InvalidRequest: (422, "validation-failed", "Données invalides"),
    NotFound: (404, "not-found", "Ressource introuvable"),
    NotAllowed: (403, "forbidden", "Accès refusé"),
    Conflict: (409, "conflict", "Conflit avec l'état de la ressource"),
    NotConfigured: (503, "not-configured", "Service incomplètement configuré"),
    MailUnavailable: (503, "mail-unavailable", "Envoi de courriel impossible"),
}
_LINK_TITLES = {
    "used": "Lien déjà utilisé",
    "expired": "Lien expiré",
    "withdrawn": "Lien retiré",
    "revoked": "Certificat révoqué",
    "invalid": "Lien invalide",
}


def problem_for(error: IdentityError) -> Problem:
    if isinstance(error, LinkUnusable):
        return Problem(410, f"link-{error.state}", _LINK_TITLES.get(error.state, "Lien inutilisable"),
                       detail=error.detail)
    for kind, (status, slug, title) in _PROBLEMS.items():
        if isinstance(error, kind):
            errors = None
            if isinstance(error, InvalidRequest) and error.fields:
                errors = [{"location": "json", "pointer": pointer, "detail": message}
                          for pointer, message in error.fields.items()]
            return Problem(status, slug, title, detail=error.detail, errors=errors)
    return Problem.for_status(500)


def install_error_table(app: Flask) -> None:
    @app.errorhandler(IdentityError)
    def answer(error: IdentityError) -> Response:
        return problem_for(error).to_response()
