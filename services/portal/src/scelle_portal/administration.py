"""*Administration* of an expertise, for its owner expert (REFERENCE §2.4, DESIGN §6.2–6.3):
status changes with a confirmation step, the consignation date, parties with their avocat and
members, participants (add, invite by e-mail, deactivate, remove).

The expertise service decides everything: who administers (``is_owner``; the others get its
403), which statuses may follow (``allowed_transitions``), which role a party member takes. A
refusal is shown in the section it concerns, with the service's French message and the fields
it names; what was typed is kept.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from scelle_portal import labels
from scelle_portal.backends import ServiceRefused
from scelle_portal.views import api, backends, current_account, same_origin, section

blueprint = Blueprint("administration", __name__)

# The confirmation of each status change: what it does (REFERENCE §2.4, two points each).
TRANSITION_EFFECTS = {
    ("en_creation", "en_cours"): ("Le décompte de la facturation commence : c'est le début de l'expertise.",
                                  "Les participants accèdent au coffre-fort selon leurs droits."),
    ("en_cours", "en_pause"): ("Les participants n'ont plus accès au coffre-fort pendant la pause.",
                               "Vous pourrez reprendre l'expertise en la repassant « En cours »."),
    ("en_pause", "en_cours"): ("L'accès des participants au coffre-fort est rétabli.",
                               "L'expertise reprend là où elle s'était arrêtée."),
    ("en_cours", "terminee"): ("L'expertise passe en lecture seule, sauf les dossiers du greffe et des parties "
                               "prévus après le rapport.", "Elle quitte les listes par défaut."),
    ("en_pause", "terminee"): ("Le rapport est déposé en l'état : l'expertise passe en lecture seule.",
                               "Elle quitte les listes par défaut."),
    ("terminee", "en_cours"): ("L'expertise est rouverte (par exemple un complément de mission) : un motif est "
                               "obligatoire.", "Les participants retrouvent leurs accès d'une expertise en cours."),
}
REASON_REQUIRED = {("terminee", "en_cours")}

# Who can be added with a Scellé account (chosen by its account id), and who is invited by e-mail.
ACCOUNT_ROLES = ("co_expert", "sapiteur", "magistrat", "greffier", "avocat", "expert_de_partie")

FIELD_LABELS = {
    "name": "Nom de la partie", "kind": "Qualité", "representation": "Représentation", "account_id": "Compte Scellé",
    "role": "Rôle", "given_name": "Prénom", "surname": "Nom", "email": "Courriel", "party_ids": "Parties",
    "consignation_date": "Date de consignation", "reason": "Motif", "phone_mobile": "Téléphone mobile",
}


def load_case(expertise_id: str) -> dict[str, Any]:
    """The case, for its owner expert only: strangers get 404 and the other participants are sent
    back to the case (the service says who owns it)."""
    try:
        case = api("expertise", f"/v1/expertises/{expertise_id}")
    except ServiceRefused as exc:
        if exc.status in (403, 404):
            abort(404)
        raise
    if not case.get("is_owner"):
        abort(404)
    return case


# The schema validator's messages are English: what a person reads instead.
VALIDATOR_MESSAGES = (
    ("Missing data", "à renseigner"), ("may not be null", "à renseigner"), ("Length must be between 1", "à renseigner"),
    ("Shorter than minimum", "à renseigner"), ("Not a valid email", "adresse électronique invalide"),
    ("Not a valid date", "date invalide"), ("Must be one of", "choix non permis"), ("Longer than", "trop long"),
    ("Length must be", "longueur non permise"),
)


def field_errors(exc: ServiceRefused) -> dict[str, str]:
    """The service's ``errors[]`` by form field, in French."""
    errors: dict[str, str] = {}
    for entry in exc.errors:
        name = str(entry.get("pointer", "")).strip("/").split("/")[0]
        if not name:
            continue
        detail = str(entry.get("detail") or "")
        french = next((text for marker, text in VALIDATOR_MESSAGES if marker in detail), "valeur refusée")
        errors[name] = f"{FIELD_LABELS.get(name, name)} : {french}"
    return errors


def change(expertise_id: str, method: str, path: str, body: Any = None) -> None:
    backends().call("expertise", method, f"/v1/expertises/{expertise_id}{path}", token=g.token,
                    request_id=g.request_id, json=body)


def page(expertise_id: str, *, status: int = 200, **problems: Any) -> tuple[str, int]:
    """The administration page; ``problems`` puts a refusal in its section (and keeps the form)."""
    current_account()
    case = load_case(expertise_id)
    parties = case.get("parties") or []
    participants = case.get("participants") or []
    by_party = {p["id"]: {"representatives": [], "members": []} for p in parties}
    for person in participants:
        group = "members" if person.get("role") in ("partie_publiante", "partie_lectrice") else "representatives"
        for party_id in person.get("party_ids") or []:
            if party_id in by_party:
                by_party[party_id][group].append(person)
    done = DONE.get(request.args.get("fait", ""))
    wanted = request.args.get("expert", "").strip()
    experts, experts_error = [], None
    if wanted:
        # A co-expert or a sapiteur is chosen in identity's directory, as a designation's expert is.
        experts, experts_error = section(
            "Annuaire des experts",
            lambda: api("identity", "/v1/directory/experts", {"surname": wanted, "limit": 10})["experts"], [])
    html = render_template("administration.html", case=case, parties=parties, participants=participants,
                           by_party=by_party, done=done, account_roles=ACCOUNT_ROLES,
                           transitions=case.get("allowed_transitions") or [], problems=problems,
                           wanted=wanted, experts=experts, experts_error=experts_error,
                           taking_part={p.get("account_id") for p in participants if p.get("account_id")})
    return html, status


DONE = {
    "statut": "Le statut de l'expertise a été changé.",
    "consignation": "La date de consignation a été enregistrée.",
    "partie": "La partie a été ajoutée.",
    "intervenant": "L'intervenant a été ajouté.",
    "invitation": "L'invitation a été envoyée : la personne recevra un courriel pour obtenir son certificat.",
    "retrait": "L'intervenant a été retiré de l'expertise.",
    "activite": "L'accès de l'intervenant a été modifié.",
}


def done(expertise_id: str, what: str, anchor: str) -> Response:
    return redirect(url_for("administration.administration", expertise_id=expertise_id, fait=what) + f"#{anchor}",
                    code=303)


def posted() -> dict[str, str]:
    if not same_origin():
        abort(403)
    return {key: value.strip() for key, value in request.form.items()}


def refused(expertise_id: str, section: str, exc: ServiceRefused, form: dict[str, Any]) -> tuple[str, int]:
    if exc.status == 404:
        abort(404)
    return page(expertise_id, status=422, **{section: {"message": exc.message, "fields": field_errors(exc),
                                                       "form": form}})


@blueprint.get("/expertises/<expertise_id>/administration")
def administration(expertise_id: str) -> tuple[str, int]:
    return page(expertise_id)


@blueprint.route("/expertises/<expertise_id>/administration/statut/<target>", methods=["GET", "POST"])
def status_change(expertise_id: str, target: str) -> str | Response | tuple[str, int]:
    """A status change: its confirmation page with what it does (GET), then the change (POST)."""
    if target not in labels.STATUSES:
        abort(404)
    form = posted() if request.method == "POST" else {}
    current_account()
    case = load_case(expertise_id)
    reopening = (case["status"], target) in REASON_REQUIRED
    possible = target in (case.get("allowed_transitions") or [])
    error, reason_error, reason = None, None, form.get("motif", "")
    if request.method == "POST":
        if reopening and not reason:
            reason_error = "Motif : à renseigner pour rouvrir une expertise terminée."
        else:
            try:
                change(expertise_id, "POST", "/status-changes", {"to": target, "confirmed": True,
                                                                 "reason": reason or None})
                return done(expertise_id, "statut", "titre-statut")
            except ServiceRefused as exc:
                if exc.status == 404:
                    abort(404)
                error = exc.message
    if not possible and error is None:
        error = (f"L'expertise est « {case.get('status_label')} » : elle ne peut pas passer "
                 f"« {labels.STATUSES[target]} ».")
    effects = TRANSITION_EFFECTS.get((case["status"], target), ())
    html = render_template("administration_status.html", case=case, target=target, effects=effects,
                           reason=reason, reason_required=reopening, reason_error=reason_error, error=error,
                           possible=possible)
    return (html, 422) if (error or reason_error) and request.method == "POST" else html


@blueprint.post("/expertises/<expertise_id>/administration/consignation")
def consignation(expertise_id: str) -> Response | tuple[str, int]:
    form = posted()
    value = None if "effacer" in form else (form.get("consignation_date") or None)
    if value is None and "effacer" not in form:
        return page(expertise_id, status=422, consignation={
            "message": "Date de consignation : choisissez une date (ou « Effacer la date »).", "fields": {},
            "form": form})
    try:
        change(expertise_id, "PATCH", "", {"consignation_date": value})
    except ServiceRefused as exc:
        return refused(expertise_id, "consignation", exc, form)
    return done(expertise_id, "consignation", "titre-consignation")


@blueprint.post("/expertises/<expertise_id>/administration/parties")
def add_party(expertise_id: str) -> Response | tuple[str, int]:
    form = posted()
    try:
        change(expertise_id, "POST", "/parties", {"name": form.get("name", ""), "kind": form.get("kind", ""),
                                                  "representation": form.get("representation", "")})
    except ServiceRefused as exc:
        return refused(expertise_id, "party", exc, form)
    return done(expertise_id, "partie", "titre-parties")


@blueprint.post("/expertises/<expertise_id>/administration/intervenants")
def add_participant(expertise_id: str) -> Response | tuple[str, int]:
    """Someone who has a Scellé account: an avocat or expert de partie for a party, a co-expert…"""
    if not same_origin():
        abort(403)
    form = {key: value.strip() for key, value in request.form.items()}
    party_ids = [p for p in request.form.getlist("party_ids") if p]
    body = {"account_id": form.get("account_id", ""), "role": form.get("role", ""), "party_ids": party_ids,
            "given_name": form.get("given_name") or None, "surname": form.get("surname") or None,
            "email": form.get("email") or None, "en_charge": form.get("en_charge") == "1"}
    section = f"party-{party_ids[0]}" if form.get("depuis_partie") and party_ids else "participant"
    try:
        change(expertise_id, "POST", "/participants", body)
    except ServiceRefused as exc:
        return refused(expertise_id, section, exc, form)
    return done(expertise_id, "intervenant", "titre-parties" if section != "participant" else "titre-intervenants")


@blueprint.post("/expertises/<expertise_id>/administration/invitations")
def invite(expertise_id: str) -> Response | tuple[str, int]:
    """A party member (or a sapiteur who is not an expert) invited by e-mail; the service gives a
    party member the role its party's representation implies."""
    if not same_origin():
        abort(403)
    form = {key: value.strip() for key, value in request.form.items()}
    party_ids = [p for p in request.form.getlist("party_ids") if p]
    body = {"role": form.get("role", ""), "party_ids": party_ids, "given_name": form.get("given_name", ""),
            "surname": form.get("surname", ""), "email": form.get("email", ""),
            "phone_mobile": form.get("phone_mobile") or None}
    section = f"party-{party_ids[0]}" if form.get("depuis_partie") and party_ids else "invitation"
    try:
        change(expertise_id, "POST", "/invitations", body)
    except ServiceRefused as exc:
        return refused(expertise_id, section, exc, form)
    return done(expertise_id, "invitation", "titre-parties" if section != "invitation" else "titre-intervenants")


@blueprint.post("/expertises/<expertise_id>/administration/intervenants/<participant_id>/activite")
def participant_access(expertise_id: str, participant_id: str) -> Response | tuple[str, int]:
    """*Désactiver* / *Réactiver* (an inactive participant keeps its place but has no access)."""
    form = posted()
    try:
        change(expertise_id, "PATCH", f"/participants/{participant_id}", {"active": form.get("actif") == "1"})
    except ServiceRefused as exc:
        return refused(expertise_id, "participant", exc, form)
    return done(expertise_id, "activite", "titre-intervenants")


@blueprint.route("/expertises/<expertise_id>/administration/intervenants/<participant_id>/retrait",
                 methods=["GET", "POST"])
def remove_participant(expertise_id: str, participant_id: str) -> str | Response | tuple[str, int]:
    """*Retirer* an intervenant: a confirmation page with an optional reason, then the removal."""
    current_account()
    error, reason = None, ""
    if request.method == "POST":
        reason = posted().get("motif", "")
        try:
            backends().call("expertise", "DELETE", f"/v1/expertises/{expertise_id}/participants/{participant_id}",
                            token=g.token, request_id=g.request_id, params={"reason": reason} if reason else None)
            return done(expertise_id, "retrait", "titre-intervenants")
        except ServiceRefused as exc:
            if exc.status == 404:
                abort(404)
            error = exc.message
    case = load_case(expertise_id)
    person = next((p for p in case.get("participants") or [] if p.get("id") == participant_id), None)
    if person is None:
        abort(404)
    html = render_template("administration_remove.html", case=case, person=person, reason=reason, error=error)
    return (html, 422) if error else html
