"""The expert directory (designations pick experts here)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from scelle_identity.entrypoints.api.common import actor, services
from scelle_identity.entrypoints.api.schemas import DirectoryPageSchema, DirectoryQuerySchema
from scelle_identity.service_layer.directory import DirectoryPage, DirectoryQuery, search_experts

blueprint = Blueprint("directory", __name__, url_prefix="/v1/directory", description="Expert directory.")


@blueprint.route("/experts", methods=["GET"])
@blueprint.arguments(DirectoryQuerySchema, location="query")
@blueprint.response(200, DirectoryPageSchema)
@blueprint.doc(summary="Search experts by name prefix (accents and case ignored), courts and specialities")
def experts(query: dict[str, Any]) -> DirectoryPage:
    return search_experts(services(), actor(), DirectoryQuery(
        surname=query.get("surname"), given_name=query.get("given_name"), courts=query["court"],
        specialities=query["speciality"], limit=query["limit"], cursor=query.get("cursor"),
    ))
