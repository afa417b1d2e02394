"""Designations: create, choose the expert, send, remind, withdraw, answer, lists and statistics."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from scelle_designation.domain.model import ExpertChoice
from scelle_designation.domain.naming import FIELDS
from scelle_designation.entrypoints.api import schemas
from scelle_designation.entrypoints.api.common import IDEMPOTENCY_DOC, actor, execute, execute_creating, services
from scelle_designation.entrypoints.api.views import designation_view
from scelle_designation.service_layer import handlers

blueprint = Blueprint("designations", __name__, url_prefix="/v1", description="Désignations d'experts.")


def expert_of(body: dict[str, Any] | None) -> ExpertChoice | None:
    if not body:
        return None
    return ExpertChoice(account_id=body["account_id"], given_name=body.get("given_name"),
                        surname=body.get("surname"), email=body.get("email"), court_code=body.get("court_code"),
                        national_list=body.get("national_list"), specialities=tuple(body.get("specialities") or ()))


def _view(designation: Any) -> dict[str, Any]:
    return designation_view(designation, services().clock())


@blueprint.route("/designations", methods=["POST"])
@blueprint.arguments(schemas.CreateDesignationSchema)
@blueprint.response(201, schemas.DesignationSchema)
@blueprint.doc(summary="Open a designation (magistrat or greffier); the vault opens its dossier", **IDEMPOTENCY_DOC)
def create(body: dict[str, Any]) -> Response:
    caller = actor()
    names = handlers.DesignatorNames(**(body.get("designator") or {}))
    return execute_creating(
        "designation.create", "designation:new", body,
        lambda uow, now: handlers.create_designation(uow, services(), caller, now, names, expert_of(body["expert"])),
        _view)


@blueprint.route("/designations", methods=["GET"])
@blueprint.arguments(schemas.ListArgsSchema, location="query")
@blueprint.response(200, schemas.DesignationPageSchema)
@blueprint.doc(summary="My designations (magistrat, greffier): en attente by default, or by state, or all")
def list_mine(args: dict[str, Any]) -> dict[str, Any]:
    caller, statuses = actor(), schemas.statuses_of(args["state"])
    page = execute("designation.list", f"account:{caller.id}", lambda uow, now: handlers.list_for_justice(
        uow, caller, now, statuses, args["cursor"], args["limit"]))
    return {"items": [_view(d) for d in page.items], "next_cursor": page.next_cursor}


@blueprint.route("/designations/statistics", methods=["GET"])
@blueprint.response(200, schemas.StatisticsSchema)
@blueprint.doc(summary="My designations' figures: sent, accepted, refused, withdrawn, median hours to answer")
def statistics() -> dict[str, Any]:
    caller = actor()
    return execute("designation.statistics", f"account:{caller.id}",
                   lambda uow, now: handlers.statistics(uow, caller, now))


@blueprint.route("/designations/pending", methods=["GET"])
@blueprint.arguments(schemas.PageArgsSchema, location="query")
@blueprint.response(200, schemas.PendingPageSchema)
@blueprint.doc(summary="Designations awaiting my answer (expert), oldest first, with their count")
def pending(args: dict[str, Any]) -> dict[str, Any]:
    caller = actor()
    page, count = execute("designation.pending", f"account:{caller.id}", lambda uow, now: handlers.pending_for_expert(
        uow, caller, now, args["cursor"], args["limit"]))
    return {"count": count, "items": [_view(d) for d in page.items], "next_cursor": page.next_cursor}


@blueprint.route("/designations/<string:designation_id>", methods=["GET"])
@blueprint.response(200, schemas.DesignationSchema)
@blueprint.doc(summary="A designation (its designator; its expert once sent)")
def read(designation_id: str) -> dict[str, Any]:
    caller = actor()
    return _view(execute("designation.read", f"designation:{designation_id}",
                         lambda uow, now: handlers.read_designation(uow, caller, now, designation_id)))


@blueprint.route("/designations/<string:designation_id>/expert", methods=["PUT"])
@blueprint.arguments(schemas.ExpertSchema)
@blueprint.response(200, schemas.DesignationSchema)
@blueprint.doc(summary="Choose the one expert of a draft (from identity's directory)")
def choose_expert(body: dict[str, Any], designation_id: str) -> dict[str, Any]:
    caller, expert = actor(), expert_of(body)
    assert expert is not None
    return _view(execute("designation.choose_expert", f"designation:{designation_id}",
                         lambda uow, now: handlers.choose_expert(uow, caller, now, designation_id, expert)))


@blueprint.route("/designations/<string:designation_id>/sending", methods=["POST"])
@blueprint.response(200, schemas.DesignationSchema)
@blueprint.doc(summary="Envoyer: needs an expert and ≥ 1 file in designation/<id>/demande (422 names what is missing)")
def send(designation_id: str) -> dict[str, Any]:
    caller = actor()
    return _view(execute("designation.send", f"designation:{designation_id}",
                         lambda uow, now: handlers.send(uow, caller, now, designation_id)))


@blueprint.route("/designations/<string:designation_id>/reminders", methods=["POST"])
@blueprint.response(200, schemas.DesignationSchema)
@blueprint.doc(summary="Relancer l'expert: never reminded or ≥ 24 h since the last (409 with possible_at)")
def remind(designation_id: str) -> dict[str, Any]:
    caller = actor()
    return _view(execute("designation.remind", f"designation:{designation_id}",
                         lambda uow, now: handlers.remind(uow, caller, now, designation_id)))


@blueprint.route("/designations/<string:designation_id>/withdrawal", methods=["POST"])
@blueprint.response(200, schemas.DesignationSchema)
@blueprint.doc(summary="Retirer: after ≥ 1 reminder and ≥ 24 h since the last (409 otherwise)")
def withdraw(designation_id: str) -> dict[str, Any]:
    caller = actor()
    return _view(execute("designation.withdraw", f"designation:{designation_id}",
                         lambda uow, now: handlers.withdraw(uow, caller, now, designation_id)))


@blueprint.route("/designations/<string:designation_id>/acceptance", methods=["POST"])
@blueprint.arguments(schemas.AcceptSchema)
@blueprint.response(200, schemas.DesignationSchema)
@blueprint.doc(summary="Accepter (the designated expert): the eight naming fields; the expertise is created")
def accept(body: dict[str, Any], designation_id: str) -> dict[str, Any]:
    caller = actor()
    naming = {name: body.get(name) for name in FIELDS}  # checked after who may answer (404/409 first)
    return _view(execute("designation.accept", f"designation:{designation_id}", lambda uow, now: handlers.accept(
        uow, caller, now, designation_id, naming, body.get("portalis_number"), body.get("mission"))))


@blueprint.route("/designations/<string:designation_id>/refusal", methods=["POST"])
@blueprint.arguments(schemas.RefuseSchema)
@blueprint.response(200, schemas.DesignationSchema)
@blueprint.doc(summary="Refuser (the designated expert): a justification and ≥ 1 file in designation/<id>/reponse")
def refuse(body: dict[str, Any], designation_id: str) -> dict[str, Any]:
    caller = actor()
    return _view(execute("designation.refuse", f"designation:{designation_id}", lambda uow, now: handlers.refuse(
        uow, caller, now, designation_id, body["justification"])))
