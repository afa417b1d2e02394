"""Statistics of the caller: a CSV export (one row per visible expertise) and a JSON summary."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from scelle_expertise.entrypoints.api import schemas
from scelle_expertise.entrypoints.api.common import actor, execute
from scelle_expertise.service_layer import queries

blueprint = Blueprint("statistics", __name__, url_prefix="/v1/statistics", description="Statistics.")


@blueprint.route("/expertises.csv", methods=["GET"])
@blueprint.response(200, content_type="text/csv")
@blueprint.doc(summary="CSV export: one row per expertise I may see, every status")
def export_csv() -> Response:
    caller = actor()
    rows = execute("statistics.export", f"account:{caller.id}",
                   lambda uow, now: queries.statistics_rows(uow, caller, now))
    body = "\ufeff" + queries.statistics_csv(rows)  # the BOM makes spreadsheets read UTF-8
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="statistiques-expertises.csv"'})


@blueprint.route("/summary", methods=["GET"])
@blueprint.response(200, schemas.SummarySchema)
@blueprint.doc(summary="Counts per status and median durations (days) of the expertises I may see")
def summary() -> dict[str, Any]:
    caller = actor()
    rows = execute("statistics.summary", f"account:{caller.id}",
                   lambda uow, now: queries.statistics_rows(uow, caller, now))
    return queries.statistics_summary(rows)
