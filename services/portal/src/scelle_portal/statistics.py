"""*Statistiques*: the caller's expertises per status and their median durations (expertise), the
designations they sent (designation, magistrats and greffiers), and the CSV export.

Each chart is an SVG drawn here on the server (no script, no chart library), with a ``<title>`` and
a ``<desc>`` that says its figures, and the same figures as a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, g, render_template

from scelle_portal import labels
from scelle_portal.views import DESIGNATORS, api, backends, current_account, section

blueprint = Blueprint("statistics", __name__)

# The chart's geometry, in SVG user units (the SVG scales to the page's width).
CHART_WIDTH = 640
LABEL_WIDTH = 210
BAR_AREA = 340
BAR_HEIGHT = 28
BAR_GAP = 14


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    description: str


def bar_chart(rows: list[tuple[str, float | None, str]]) -> Chart:
    """Horizontal bars scaled to the largest value; ``rows`` are (label, value or None, value as read)."""
    largest = max((value for _, value, _ in rows if value), default=0) or 1
    bars = [Bar(label, text, BAR_GAP + index * (BAR_HEIGHT + BAR_GAP),
                round(BAR_AREA * (value or 0) / largest, 1))
            for index, (label, value, text) in enumerate(rows)]
    return Chart(bars, BAR_GAP + len(rows) * (BAR_HEIGHT + BAR_GAP),
                 " ; ".join(f"{label} : {text}" for label, _, text in rows) + ".")


def duration(value: float | None, unit: str) -> str:
    """« 12 jours », « 1 jour », « 2,5 heures »; « pas encore de donnée » when nothing was measured."""
    if value is None:
        return "pas encore de donnée"
    number = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{number} {unit}{'s' if value >= 2 else ''}"


@blueprint.get("/statistiques")
def statistics() -> str:
    current_account()
    summary, summary_error = section("Statistiques des expertises",
                                     lambda: api("expertise", "/v1/statistics/summary"), None)
    by_status = status_chart = durations_chart = None
    if summary is not None:
        counts = summary.get("by_status") or {}
        by_status = [(label, int(counts.get(code) or 0)) for code, label in labels.STATUSES.items()]
        status_chart = bar_chart([(label, count, str(count)) for label, count in by_status])
        durations = [("Désignation → en cours", summary.get("median_days_designation_to_en_cours")),
                     ("En cours → terminée", summary.get("median_days_en_cours_to_terminee"))]
        durations_chart = bar_chart([(label, value, duration(value, "jour")) for label, value in durations])
    designations = designations_error = None
    if g.principal.profile in DESIGNATORS:
        designations, designations_error = section(
            "Statistiques des désignations", lambda: api("designation", "/v1/designations/statistics"), None)
    return render_template("statistics.html", summary=summary, summary_error=summary_error, by_status=by_status,
                           status_chart=status_chart, durations_chart=durations_chart, duration=duration,
                           designations=designations, designations_error=designations_error,
                           chart_width=CHART_WIDTH, label_width=LABEL_WIDTH, bar_height=BAR_HEIGHT)


@blueprint.get("/statistiques/expertises.csv")
def export() -> Response:
    """Expertise's CSV (one row per case the caller may see), as a download a spreadsheet opens
    with its accents: UTF-8 with a BOM, a dated file name. A service failure is the French error
    page (the app's BackendError handler), never a broken file."""
    answer = backends().send("expertise", "GET", "/v1/statistics/expertises.csv", token=g.token,
                             request_id=g.request_id)
    body = "\ufeff" + answer.content.decode("utf-8-sig")
    name = f"statistiques-expertises-{datetime.now(labels.PARIS):%Y-%m-%d}.csv"
    return Response(body.encode("utf-8"), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store"})
