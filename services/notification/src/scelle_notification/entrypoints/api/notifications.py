"""The delivery log for operators, and each person's notification preferences."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from scelle_notification.entrypoints.api import schemas
from scelle_notification.entrypoints.api.common import actor, jsonable, services
from scelle_notification.service_layer import queries

blueprint = Blueprint("notifications", __name__, url_prefix="/v1",
                      description="E-mails sent and their delivery status; notification preferences.")


@blueprint.route("/emails", methods=["GET"])
@blueprint.arguments(schemas.EmailQuerySchema, location="query")
@blueprint.response(200, schemas.EmailPageSchema)
@blueprint.doc(summary="What was sent to whom, when, and its status, newest first (operators)")
def list_emails(query: dict[str, Any]) -> dict[str, Any]:
    return jsonable(queries.list_emails(services(), actor(), queries.EmailFilter(**query)))  # type: ignore[no-any-return]


@blueprint.route("/emails/<string:email_id>", methods=["GET"])
@blueprint.response(200, schemas.EmailSchema)
@blueprint.doc(summary="One e-mail with its text and HTML bodies and delivery status (operators)")
def read_email(email_id: str) -> dict[str, Any]:
    return jsonable(queries.read_email(services(), actor(), email_id))  # type: ignore[no-any-return]


@blueprint.route("/preferences/me", methods=["GET"])
@blueprint.response(200, schemas.PreferencesSchema)
@blueprint.doc(summary="My notification preferences")
def my_preferences() -> dict[str, Any]:
    return queries.get_preferences(services(), actor())


@blueprint.route("/preferences/me", methods=["PUT"])
@blueprint.arguments(schemas.PreferencesSchema)
@blueprint.response(200, schemas.PreferencesSchema)
@blueprint.doc(summary="Opt in or out of the parties' activity in my digest (magistrats, greffiers, avocats)")
def set_my_preferences(body: dict[str, Any]) -> dict[str, Any]:
    return queries.set_preferences(services(), actor(), body["party_activity"])
