"""``GET /internal/v1/authenticate``: the gateway's ``auth_request`` (see README, "Gateway contract").

nginx only forwards *headers* of an auth subrequest, so a refusal carries its problem document
twice: as the body, and as ``X-Scelle-Problem`` (ASCII-only JSON on one line) that the gateway
renders as the client's body. ``X-Accel-Expires`` tells nginx' cache how long the answer may be
reused for the same certificate: only an unconditional principal answer is cacheable.
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime

from flask import Response, current_app, request
from flask_smorest import Blueprint

from scelle_common.http import PRINCIPAL_HEADER, Problem, public
from scelle_common.logging import get_logger
from scelle_identity.domain.access import (
    ASSOCIATION_LINK_ROUTE,
    CGU_ACCEPTANCE_ROUTE,
    CGU_CURRENT_ROUTE,
    REGISTRATION_ROUTE,
    Refusal,
)
from scelle_identity.entrypoints.api.common import services
from scelle_identity.service_layer.authentication import GatewayAnswer, GatewayRequest, authenticate

log = get_logger(__name__)

PROBLEM_HEADER = "X-Scelle-Problem"
SECRET_HEADER = "X-Scelle-Gateway-Secret"
GRANT_HEADER = "X-Scelle-Grant"
CACHE_HEADER = "X-Accel-Expires"

blueprint = Blueprint("gateway", __name__, url_prefix="/internal/v1",
                      description="Called by the gateway only (never exposed under /api).")


def _date(moment: datetime | None) -> str:
    return f"{moment:%d/%m/%Y}" if moment else "une date inconnue"


_AUTHORITIES = ("Ministère de la Justice, Conseil national des barreaux / Barreau de Paris, CertEurope, "
                "Scellé")


def _refusal_problem(answer: GatewayAnswer) -> Problem:
    refusal = answer.refusal
    facts = answer.facts
    if refusal is Refusal.CERTIFICATE_REQUIRED:
        return Problem(401, refusal.value, "Certificat client requis", detail=(
            "Aucun certificat client n'a été présenté. Connectez-vous à Scellé avec votre carte agent, votre "
            "clé RPVA, votre carte d'expert ou votre certificat logiciel Scellé."))
    if refusal is Refusal.CERTIFICATE_NOT_REGISTERED:
        return Problem(401, refusal.value, "Certificat non inscrit", detail=(
            "Ce certificat est reconnu mais n'est lié à aucun compte Scellé. Créez votre compte : lisez les CGU "
            f"(GET {CGU_CURRENT_ROUTE}) puis inscrivez-vous (POST {REGISTRATION_ROUTE}). Si vous avez déjà un "
            "compte, associez ce certificat avec le lien d'association reçu par courriel, ou demandez ce lien "
            "à l'assistance si votre ancien certificat ne fonctionne plus."),
            extensions={"registration_route": REGISTRATION_ROUTE, "cgu_route": CGU_CURRENT_ROUTE,
                        "association_route": ASSOCIATION_LINK_ROUTE})
    if refusal is Refusal.CERTIFICATE_UNTRUSTED:
        gateway = f" (passerelle : {answer.gateway_reason})" if answer.gateway_reason else ""
        return Problem(403, refusal.value, "Certificat non reconnu", detail=(
            f"Ce certificat n'a pas été délivré par une autorité reconnue par Scellé ({_AUTHORITIES}), ou son "
            f"état de révocation ne peut pas être vérifié{gateway}. Utilisez un certificat de l'une de ces "
            "autorités."))
    if refusal is Refusal.CERTIFICATE_REVOKED:
        return Problem(403, refusal.value, "Certificat révoqué", detail=(
            f"Ce certificat a été révoqué le {_date(answer.revoked_at)} : il ne donne plus accès à Scellé. "
            "Connectez-vous avec un autre certificat lié à votre compte. Sinon, obtenez un nouveau certificat "
            "auprès de votre autorité (pour un certificat logiciel : l'expert qui vous a invité ou l'assistance), "
            "puis demandez à l'assistance Scellé un lien d'association pour le lier à votre compte."),
            extensions={"revoked_at": answer.revoked_at.isoformat() if answer.revoked_at else None})
    if refusal is Refusal.CERTIFICATE_EXPIRED:
        return Problem(403, refusal.value, "Certificat expiré", detail=(
            f"Ce certificat a expiré le {_date(facts.not_after if facts else None)}. Renouvelez-le auprès de son "
            "autorité (carte agent, clé RPVA, carte d'expert CertEurope ; certificat logiciel : l'expert qui vous "
            "a invité ou l'assistance), puis associez le nouveau certificat à votre compte : depuis votre compte "
            "avec un certificat encore valide (« Ajouter un certificat »), sinon en demandant un lien "
            "d'association à l'assistance."),
            extensions={"expired_at": facts.not_after.isoformat() if facts else None})
    if refusal is Refusal.CERTIFICATE_NOT_YET_VALID:
        return Problem(403, refusal.value, "Certificat pas encore valide", detail=(
            f"Ce certificat n'est valable qu'à partir du {_date(facts.not_before if facts else None)}."))
    if refusal is Refusal.CERTIFICATE_PROFILE_MISMATCH:
        return Problem(403, refusal.value, "Certificat incompatible avec le compte", detail=(
            "Ce certificat est lié à un compte dont le profil ne correspond pas à son autorité émettrice. "
            "Contactez l'assistance Scellé."))
    if refusal is Refusal.ACCOUNT_SUSPENDED:
        return Problem(403, refusal.value, "Compte suspendu", detail=(
            "Votre compte est suspendu pour défaut de paiement après mise en demeure. Seules les pages de "
            "facturation (/api/billing/) restent accessibles pour régulariser ; l'accès est rétabli dès que "
            "le paiement est enregistré."))
    assert refusal is Refusal.CGU_ACCEPTANCE_REQUIRED
    return Problem(403, refusal.value, "Acceptation des CGU requise", detail=(
        f"Une nouvelle version des conditions générales d'utilisation ({answer.cgu_version}) est en vigueur. "
        f"Lisez-la (GET {CGU_CURRENT_ROUTE}) et acceptez-la (POST {CGU_ACCEPTANCE_ROUTE}) pour continuer."),
        extensions={"cgu_version": answer.cgu_version, "cgu_acceptance_route": CGU_ACCEPTANCE_ROUTE})


@blueprint.route("/authenticate", methods=["GET"])
@blueprint.doc(summary="Authenticate a gateway request (nginx auth_request)", description=(
    "Request headers: X-Client-Cert ($ssl_client_escaped_cert), X-Client-Verify ($ssl_client_verify), "
    "X-Client-Ip ($remote_addr), X-Original-Method, X-Original-Uri. 200 with X-Scelle-Principal (absent "
    "for public routes), X-Scelle-Grant and X-Accel-Expires; 401/403 with the problem as body and as "
    "X-Scelle-Problem."))
@public
def authenticate_gateway_request() -> Response:
    expected = current_app.extensions["scelle_runtime"].settings.gateway_secret
    if expected and not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), expected.encode()):
        # Whoever reaches this route can present any certificate's PEM: only the gateway may ask.
        log.warning("gateway.unknown_caller", remote=request.remote_addr)
        return _with_problem_header(Problem(403, "gateway-not-trusted", "Appelant non reconnu",
                                            detail="Seule la passerelle interroge ce point d'entrée."))
    answer = authenticate(services(), GatewayRequest(
        client_cert=request.headers.get("X-Client-Cert"),
        client_verify=request.headers.get("X-Client-Verify"),
        client_ip=request.headers.get("X-Client-Ip"),
        method=request.headers.get("X-Original-Method", ""),
        uri=request.headers.get("X-Original-Uri", ""),
    ))
    if answer.refusal is not None:
        response = _with_problem_header(_refusal_problem(answer))
    else:
        response = Response(json.dumps({"grant": answer.decision.grant.value}), status=200,
                            mimetype="application/json")
        if answer.token:
            response.headers[PRINCIPAL_HEADER] = answer.token
    response.headers[GRANT_HEADER] = answer.decision.grant.value
    response.headers[CACHE_HEADER] = str(answer.cache_seconds)
    response.headers["Cache-Control"] = f"max-age={answer.cache_seconds}" if answer.cache_seconds else "no-store"
    return response


def _with_problem_header(problem: Problem) -> Response:
    """The problem as the body and, for nginx, as one ASCII line in X-Scelle-Problem."""
    response = problem.to_response()
    document = json.loads(response.get_data())
    response.headers[PROBLEM_HEADER] = json.dumps(document, ensure_ascii=True, separators=(",", ":"))
    response.headers[CACHE_HEADER] = "0"
    return response
