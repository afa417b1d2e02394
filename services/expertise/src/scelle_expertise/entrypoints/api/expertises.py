"""Expertises: create, the caller's workspace, read, rename, details, status changes."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from scelle_expertise.domain import status
from scelle_expertise.domain.model import PersonDetails
from scelle_expertise.domain.naming import Naming
from scelle_expertise.entrypoints.api import schemas, views
from scelle_expertise.entrypoints.api.common import IDEMPOTENCY_DOC, actor, execute, execute_creating, services
from scelle_expertise.service_layer import expertises, queries

blueprint = Blueprint("expertises", __name__, url_prefix="/v1", description="Expertises (cases).")

NAMING_FIELDS = ("first_applicant", "first_defender", "jurisdiction", "rg_number", "record_number", "expert_name",
                 "mi_number", "designation_date")


def naming_of(body: dict[str, Any]) -> Naming:
    return Naming(**{name: body.get(name) for name in NAMING_FIELDS})


@blueprint.route("/expertises", methods=["POST"])
@blueprint.arguments(schemas.CreateExpertiseSchema)
@blueprint.response(201, schemas.ExpertiseSchema)
@blueprint.doc(summary="Create an expertise (the calling expert owns it)", **IDEMPOTENCY_DOC)
def create(body: dict[str, Any]) -> Response:
    caller = actor()
    command = expertises.CreateExpertise(
        naming=naming_of(body),
        owner=PersonDetails(email=body.get("owner_email"), given_name=body.get("owner_given_name"),
                            surname=body.get("owner_surname")),
        portalis_number=body.get("portalis_number"), mission=body.get("mission"))
    return execute_creating(
        "expertise.create", "expertise:new", body,
        lambda uow, now: expertises.create_expertise(uow, services(), caller, now, command),
        lambda expertise: views.expertise_view(expertise, caller.id))


@blueprint.route("/expertises", methods=["GET"])
@blueprint.arguments(schemas.WorkspaceArgsSchema, location="query")
@blueprint.response(200, schemas.WorkspacePageSchema)
@blueprint.doc(summary="My workspace: cases I take part in, unread first")
def workspace(args: dict[str, Any]) -> dict[str, Any]:
    caller = actor()
    page = execute("workspace.list", f"account:{caller.id}", lambda uow, now: queries.workspace(
        uow, caller, now, statuses_wanted=args["status"], roles=args["role"], sort=args["sort"],
        descending=args["order"] == "desc", cursor=args["cursor"], limit=args["limit"]))
    return {"items": [{
        "id": row.id, "display_name": row.display_name, "status": row.status,
        "status_label": status.LABELS[row.status], "consignation_date": row.consignation_date,
        "consignation_label": views.consignation_label(row.consignation_date), "deadline": row.deadline,
        "my_role": row.role, "magistrat_en_charge": row.magistrat_en_charge, "unread_count": row.unread_count,
        "has_unread": row.unread_count > 0, "version": row.version,
    } for row in page.items], "next_cursor": page.next_cursor}


@blueprint.route("/expertises/<string:expertise_id>", methods=["GET"])
@blueprint.response(200, schemas.ExpertiseSchema)
@blueprint.doc(summary="An expertise, its parties, participants and status history")
def read(expertise_id: str) -> dict[str, Any]:
    caller = actor()
    expertise = execute("expertise.read", f"expertise:{expertise_id}",
                        lambda uow, now: expertises.read_expertise(uow, caller, now, expertise_id))
    return views.expertise_view(expertise, caller.id)


@blueprint.route("/expertises/<string:expertise_id>/naming", methods=["PUT"])
@blueprint.arguments(schemas.NamingSchema)
@blueprint.response(200, schemas.ExpertiseSchema)
@blueprint.doc(summary="Rename: the eight naming fields (owner expert)")
def rename(body: dict[str, Any], expertise_id: str) -> dict[str, Any]:
    caller = actor()
    expertise = execute("expertise.rename", f"expertise:{expertise_id}",
                        lambda uow, now: expertises.rename(uow, caller, now, expertise_id, naming_of(body)))
    return views.expertise_view(expertise, caller.id)


@blueprint.route("/expertises/<string:expertise_id>", methods=["PATCH"])
@blueprint.arguments(schemas.UpdateExpertiseSchema)
@blueprint.response(200, schemas.ExpertiseSchema)
@blueprint.doc(summary="N° Portalis, mission, consignation date, délai (owner expert)")
def update(body: dict[str, Any], expertise_id: str) -> dict[str, Any]:
    caller = actor()
    given = {name: body[name] for name in ("portalis_number", "mission", "consignation_date", "deadline")
             if name in body}
    expertise = execute("expertise.update", f"expertise:{expertise_id}",
                        lambda uow, now: expertises.update_expertise(uow, caller, now, expertise_id, **given))
    return views.expertise_view(expertise, caller.id)


@blueprint.route("/expertises/<string:expertise_id>/status-changes", methods=["POST"])
@blueprint.arguments(schemas.StatusChangeRequestSchema)
@blueprint.response(201, schemas.StatusChangeSchema)
@blueprint.doc(summary="Change the status (owner expert, confirmed); 409 names the allowed targets",
               **IDEMPOTENCY_DOC)
def change_status(body: dict[str, Any], expertise_id: str) -> Response:
    caller = actor()
    return execute_creating(
        "expertise.change_status", f"expertise:{expertise_id}", body,
        lambda uow, now: expertises.change_status(uow, services(), caller, now, expertise_id, body["to"],
                                                  confirmed=body["confirmed"], reason=body.get("reason")),
        views.status_change_view)
