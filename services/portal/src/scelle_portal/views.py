"""The pages. Each one asks the services for what it shows, with the caller's token.

A section whose service is down is replaced by a French message naming what is missing
(``g.degraded``); the rest of the page still renders. A refusal (4xx) is shown with the
service's own French title and detail, never its JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for

from scelle_common.http.principal import REGISTRANT_PROFILE
from scelle_portal import labels
from scelle_portal.backends import BackendError, Backends, ServiceRefused, ServiceUnavailable

blueprint = Blueprint("portal", __name__)
T = TypeVar("T")

DESIGNATORS = {"magistrat", "greffier"}
DIRECTORY_READERS = {"expert", "avocat", "magistrat", "greffier", "operateur"}


def backends() -> Backends:
    return current_app.extensions["portal_backends"]


def api(service: str, path: str, params: Any = None) -> Any:
    return backends().get(service, path, token=g.token, request_id=g.request_id, params=params)


def section(label: str, load: Callable[[], T], default: T) -> tuple[T, str | None]:
    """``load()``, or ``default`` and a French message when its service fails."""
    try:
        return load(), None
    except ServiceUnavailable as exc:
        message = f"{label} : {exc.message} Réessayez dans un instant."
        g.setdefault("degraded", []).append(message)
        return default, message
    except ServiceRefused as exc:
        return default, f"{label} : {exc.message}"


def current_account() -> dict[str, Any] | None:
    """The caller's account (identity), for the header; None when identity does not answer."""
    if "account" not in g:
        g.account, _ = section("Votre compte", lambda: api("identity", "/v1/accounts/me"), None)
    return g.account


@blueprint.app_context_processor
def layout_context() -> dict[str, Any]:
    principal = g.get("principal")
    if principal is None or principal.profile == REGISTRANT_PROFILE:  # no account yet: no menu
        return {"me": None, "profile": None}
    return {"me": current_account(), "profile": principal.profile,
            "can_designate": principal.profile in DESIGNATORS,
            "can_search_directory": principal.profile in DIRECTORY_READERS,
            "is_expert": principal.profile == "expert"}


# -- workspace --------------------------------------------------------------------------------


# *Rejetée* is the fifth filter (REFERENCE §2.3) but no expertise status: a refused designation
# never became a case, so those rows come from the designation service (its designator's list).
REJECTED = "rejetee"


@blueprint.get("/")
def workspace() -> str:
    designator = g.principal.profile in DESIGNATORS
    wanted = request.args.getlist("statut")
    chosen = [s for s in wanted if s in labels.STATUSES]
    rejected = designator and REJECTED in wanted
    statuses = chosen if chosen or rejected else list(labels.DEFAULT_STATUSES)
    sort = request.args.get("tri", "name")
    if sort not in ("name", "consignation_date", "status"):
        sort = "name"
    order = "desc" if request.args.get("ordre") == "desc" else "asc"
    current_account()
    expertises, expertises_error = [], None
    if statuses:  # the service reads no status as "all but Terminée"
        expertises, expertises_error = section(
            "Liste des expertises",
            lambda: api("expertise", "/v1/expertises",
                        {"status": statuses, "sort": sort, "order": order, "limit": 200})["items"],
            [])
    refused, refused_error = [], None
    if rejected:
        refused, refused_error = section(
            "Désignations rejetées",
            lambda: api("designation", "/v1/designations", {"state": ["refusee"], "limit": 200})["items"], [])
    pending, pending_error = pending_designations(limit=5)
    return render_template("workspace.html", expertises=expertises, expertises_error=expertises_error,
                           statuses=statuses + ([REJECTED] if rejected else []), sort=sort, order=order,
                           refused=refused, refused_error=refused_error, designator=designator,
                           pending=pending, pending_error=pending_error,
                           unread_total=sum(int(e.get("unread_count") or 0) for e in expertises))


def pending_designations(limit: int = 50, states: list[str] | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """What *En attente (n)* shows for this profile: sent designations (magistrat, greffier; or
    those in ``states``) or designations awaiting the expert's answer (expert). None for the other
    profiles."""
    profile = g.principal.profile
    if profile in DESIGNATORS:
        def load() -> dict[str, Any]:
            page = api("designation", "/v1/designations", {"state": states or ["en_attente"], "limit": limit})
            return {"items": page["items"], "count": len(page["items"]), "more": bool(page.get("next_cursor")),
                    "designator": True}
    elif profile == "expert":
        def load() -> dict[str, Any]:
            page = api("designation", "/v1/designations/pending", {"limit": limit})
            return {"items": page["items"], "count": page.get("count", len(page["items"])),
                    "more": bool(page.get("next_cursor")), "designator": False}
    else:
        return None, None
    return section("Désignations en attente", load, {"items": [], "count": 0, "more": False,
                                                     "designator": profile in DESIGNATORS})


@blueprint.get("/designations")
def designations() -> str:
    current_account()
    states = [s for s in request.args.getlist("etat") if s in labels.DESIGNATION_STATES] or ["en_attente"]
    pending, error = pending_designations(limit=200, states=states)
    if pending is None:
        abort(404)
    return render_template("designations.html", pending=pending, pending_error=error, states=states)


@blueprint.get("/designations/<designation_id>")
def designation(designation_id: str) -> str:
    """One designation: expert, designator, files, reminders, and whether *Relancer l'expert* and
    *Retirer* are possible now (or from when, and why not)."""
    current_account()
    try:
        item = api("designation", f"/v1/designations/{designation_id}")
    except ServiceRefused as exc:
        if exc.status in (403, 404):
            abort(404)
        raise
    done = ACTIONS.get(request.args.get("fait", ""), (None, None, None, None))[3]
    return render_template("designation.html", d=item, done=done,
                           is_designator=g.principal.account_id == (item.get("designator") or {}).get("account_id"))


ACTIONS = {
    "relance": ("reminders", "Relancer l'expert", "L'expert recevra un nouveau courriel l'invitant à répondre.",
                "La relance a été envoyée à l'expert."),
    "retrait": ("withdrawal", "Retirer la désignation", "La désignation sera retirée : l'expert ne pourra plus y répondre.",
                "La désignation a été retirée."),
}


def same_origin() -> bool:
    """A state-changing request must come from the portal's own pages.

    The client certificate is an ambient credential (a browser presents it on any cross-site
    request), so every POST is checked: Fetch Metadata when the browser sends it, else the
    Origin (or Referer) must be this host. No cookie, so no token to keep.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        return False
    # The gateway passes Host without its port ($host): compare host names.
    return urlsplit(source).hostname == request.host.rsplit(":", 1)[0].strip("[]")


@blueprint.route("/designations/<designation_id>/<action>", methods=["GET", "POST"])
def designation_action(designation_id: str, action: str) -> str | Response:
    """*Relancer l'expert* / *Retirer*: a confirmation page (GET), then the action (POST)."""
    if action not in ACTIONS:
        abort(404)
    endpoint, title, consequence, done = ACTIONS[action]
    current_account()
    error = None
    if request.method == "POST":
        if not same_origin():
            abort(403)
        try:
            backends().post("designation", f"/v1/designations/{designation_id}/{endpoint}", token=g.token,
                            request_id=g.request_id)
            return redirect(url_for("portal.designation", designation_id=designation_id, fait=action), code=303)
        except ServiceRefused as exc:
            if exc.status == 404:
                abort(404)
            error = exc.message
    try:
        item = api("designation", f"/v1/designations/{designation_id}")
    except ServiceRefused as exc:
        if exc.status in (403, 404):
            abort(404)
        raise
    return render_template("designation_action.html", d=item, action=action, title=title,
                           consequence=consequence, error=error)


# The expert's *Accepter*: the naming fields (DESIGN §6.3) and the case's optional details.
ANSWER_FIELDS = (
    ("first_applicant", "Premier demandeur", True, ""),
    ("first_defender", "Premier défendeur", True, ""),
    ("jurisdiction", "Juridiction", True, "par exemple : TJ Bordeaux"),
    ("rg_number", "N° RG", True, "par exemple : 26/01234"),
    ("record_number", "N° de dossier", False, ""),
    ("expert_name", "Expert", True, ""),
    ("mi_number", "N° Mi", False, "12 caractères au plus"),
    ("designation_date", "Date de désignation", True, "jj-mm-aaaa"),
    ("portalis_number", "N° Portalis", False, ""),
    ("mission", "Mission", False, ""),
)
ACTIONS["acceptation"] = ("acceptance", "", "", "Vous avez accepté la désignation : l'expertise est créée "
                          "et apparaîtra dans votre liste des expertises.")


@blueprint.route("/designations/<designation_id>/reponse", methods=["GET", "POST"])
def answer(designation_id: str) -> str | Response:
    """The designated expert's *Accepter* form (naming fields)."""
    if g.principal.profile != "expert":
        abort(404)
    me = current_account() or {}
    try:
        item = api("designation", f"/v1/designations/{designation_id}")
    except ServiceRefused as exc:
        if exc.status in (403, 404):
            abort(404)
        raise
    values = {name: "" for name, *_ in ANSWER_FIELDS}
    values["expert_name"] = str(me.get("surname") or "")
    errors: dict[str, str] = {}
    error = None
    if request.method == "POST":
        if not same_origin():
            abort(403)
        values = {name: request.form.get(name, "").strip() for name, *_ in ANSWER_FIELDS}
        for name, label, required, _ in ANSWER_FIELDS:
            if required and not values[name]:
                errors[name] = f"{label} : à renseigner."
        if values["designation_date"] and not _is_french_date(values["designation_date"]):
            errors["designation_date"] = "Date de désignation : une date réelle au format jj-mm-aaaa."
        if len(values["mi_number"]) > 12:
            errors["mi_number"] = "N° Mi : 12 caractères au plus."
        if not errors:
            body = {name: (value or None) for name, value in values.items()}
            try:
                backends().post("designation", f"/v1/designations/{designation_id}/acceptance", token=g.token,
                                request_id=g.request_id, json=body)
                return redirect(url_for("portal.designation", designation_id=designation_id, fait="acceptation"),
                                code=303)
            except ServiceRefused as exc:
                labels_by_field = {name: label for name, label, *_ in ANSWER_FIELDS}
                for entry in exc.errors:
                    field = str(entry.get("pointer", "")).strip("/").split("/")[-1]
                    if field in labels_by_field:
                        errors[field] = f"{labels_by_field[field]} : valeur refusée."
                error = exc.message
    return render_template("answer.html", d=item, fields=ANSWER_FIELDS, values=values, errors=errors, error=error)


def _is_french_date(text: str) -> bool:
    from datetime import datetime

    try:
        datetime.strptime(text, "%d-%m-%Y")
    except ValueError:
        return False
    return True


# -- directory (Désigner un expert, étape 01) ---------------------------------------------------


@blueprint.get("/annuaire")
def directory() -> str:
    if g.principal.profile not in DIRECTORY_READERS:
        abort(404)
    current_account()
    courts, courts_error = section("Cours d'appel", lambda: api("identity", "/v1/courts")["courts"], [])
    specialities, _ = section("Spécialités", lambda: api("identity", "/v1/specialities")["specialities"], [])
    court_names = {c["code"]: c["name"] for c in courts}
    speciality_names = {s["code"]: s["label"] for s in specialities}
    criteria = {
        "nom": request.args.get("nom", "").strip(),
        "prenom": request.args.get("prenom", "").strip(),
        "cours": [c for c in request.args.getlist("cour") if c],
        "specialites": [s for s in request.args.getlist("specialite") if s],
    }
    searched = "recherche" in request.args
    experts: list[dict[str, Any]] = []
    error = None
    more = False
    if searched:
        params: dict[str, Any] = {"limit": 50, "court": criteria["cours"], "speciality": criteria["specialites"]}
        if criteria["nom"]:
            params["surname"] = criteria["nom"]
        if criteria["prenom"]:
            params["given_name"] = criteria["prenom"]
        page, error = section("Annuaire des experts", lambda: api("identity", "/v1/directory/experts", params),
                              {"experts": [], "next_cursor": None})
        experts, more = page["experts"], bool(page.get("next_cursor"))
    return render_template("directory.html", courts=courts, courts_error=courts_error,
                           specialities=specialities, court_names=court_names,
                           speciality_names=speciality_names, criteria=criteria, searched=searched,
                           experts=experts, error=error, more=more)


# -- account ----------------------------------------------------------------------------------


@blueprint.get("/compte")
def account() -> str:
    me = current_account()
    certificates, certificates_error = section(
        "Vos certificats", lambda: api("identity", "/v1/accounts/me/certificates")["certificates"], [])
    court_name = None
    if me and me.get("court_code"):
        courts, _ = section("Cours d'appel", lambda: api("identity", "/v1/courts")["courts"], [])
        court_name = next((c["name"] for c in courts if c["code"] == me["court_code"]), me["court_code"])
    return render_template("account.html", certificates=certificates, certificates_error=certificates_error,
                           court_name=court_name)


def describe(error: BackendError) -> str:
    return error.message
