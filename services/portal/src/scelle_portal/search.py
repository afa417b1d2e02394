"""*Rechercher*: one query box, three groups of results — expertises, documents, intervenants.

Each group comes from the service that owns it (expertise's search index, the vault's file names),
called with the caller's token: the services answer only with what the caller may see. A group
whose service is down or refuses the query shows why in French; the others still show.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from scelle_portal.views import api, current_account, section

blueprint = Blueprint("search", __name__)

# Per group: enough for a person to scan; the query can always be made more precise.
RESULTS_PER_GROUP = 50
# The services accept at most 200 characters (expertise SearchArgsSchema, documents SearchQuery).
QUERY_MAX_LENGTH = 200

NO_RESULTS = {"items": [], "next_cursor": None}


@blueprint.get("/recherche")
def search() -> str:
    current_account()
    query = request.args.get("q", "").strip()
    too_long = len(query) > QUERY_MAX_LENGTH
    groups: list[dict[str, Any]] = []
    if query and not too_long:
        params = {"q": query, "limit": RESULTS_PER_GROUP}
        for key, title, service, path, empty in (
                ("expertises", "Expertises", "expertise", "/v1/search/expertises",
                 "Aucune expertise ne correspond à votre recherche."),
                ("documents", "Documents", "documents", "/v1/search",
                 "Aucun document ne porte ce nom parmi ceux que vous pouvez consulter."),
                ("intervenants", "Intervenants", "expertise", "/v1/search/participants",
                 "Aucun intervenant ne correspond à votre recherche.")):
            page, error = section(title, lambda service=service, path=path: api(service, path, params), NO_RESULTS)
            # The vault's search has no cursor: a full group may have more.
            groups.append({"key": key, "title": title, "results": page["items"], "error": error, "empty": empty,
                           "more": bool(page.get("next_cursor")) or len(page["items"]) >= RESULTS_PER_GROUP})
    return render_template("search.html", query=query, too_long=too_long, groups=groups,
                           max_length=QUERY_MAX_LENGTH, per_group=RESULTS_PER_GROUP)
