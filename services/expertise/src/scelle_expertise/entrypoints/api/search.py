"""Search across what the caller may see: expertises (name, RG, Mi, Portalis, parties, jurisdiction)
and participants (name, e-mail)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from scelle_expertise.domain import roles, status
from scelle_expertise.entrypoints.api import schemas, views
from scelle_expertise.entrypoints.api.common import actor, execute
from scelle_expertise.service_layer import queries

blueprint = Blueprint("search", __name__, url_prefix="/v1/search", description="Search.")


@blueprint.route("/expertises", methods=["GET"])
@blueprint.arguments(schemas.SearchArgsSchema, location="query")
@blueprint.response(200, schemas.ExpertiseHitPageSchema)
@blueprint.doc(summary="Expertises I may see, by words (French, accents ignored) or numbers and prefixes")
def search_expertises(args: dict[str, Any]) -> dict[str, Any]:
    caller = actor()
    page = execute("search.expertises", f"account:{caller.id}", lambda uow, now: queries.search_expertises(
        uow, caller, now, query=args["q"], cursor=args["cursor"], limit=args["limit"]))
    return {"items": [{
        "id": hit.id, "display_name": hit.display_name, "status": hit.status,
        "status_label": status.LABELS[hit.status], "consignation_date": hit.consignation_date,
        "consignation_label": views.consignation_label(hit.consignation_date), "rg_number": hit.rg_number,
        "mi_number": hit.mi_number, "portalis_number": hit.portalis_number, "jurisdiction": hit.jurisdiction,
        "magistrat_en_charge": hit.magistrat_en_charge,
    } for hit in page.items], "next_cursor": page.next_cursor}


@blueprint.route("/participants", methods=["GET"])
@blueprint.arguments(schemas.SearchArgsSchema, location="query")
@blueprint.response(200, schemas.ParticipantHitPageSchema)
@blueprint.doc(summary="Participants of the expertises I may see, by name or e-mail")
def search_participants(args: dict[str, Any]) -> dict[str, Any]:
    caller = actor()
    page = execute("search.participants", f"account:{caller.id}", lambda uow, now: queries.search_participants(
        uow, caller, now, query=args["q"], cursor=args["cursor"], limit=args["limit"]))
    return {"items": [{
        "participant_id": hit.participant_id, "expertise_id": hit.expertise_id, "expertise_name": hit.expertise_name,
        "display_name": hit.display_name, "role": hit.role, "role_label": roles.ROLE_LABELS[hit.role],
        "email": hit.email, "account_id": hit.account_id,
    } for hit in page.items], "next_cursor": page.next_cursor}
