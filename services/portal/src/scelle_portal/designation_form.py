"""*Désigner un expert*, step 02, and the expert's *Refuser* (DESIGN §6.7, REFERENCE §4.1, §4.3).

A designation's files live in the vault's dossier (``designation/<id>/demande`` for the
designator, ``/reponse`` for the expert's answer), which the vault opens when it hears
``designation.drafted.v1``: for a moment after the draft is created the dossier does not exist
yet, and the page says so and reloads itself. The designation service counts the files from the
vault's announcements, so *Envoyer* and *Refuser* may briefly say a file is missing; the
service's own French message is shown. A file is "removed before sending" by locking it in the
vault (deposits are final, DESIGN §6.6); the designation then stops counting it.

Uploads: a plain multipart form (several files at once) works without JavaScript; with it,
``static/dossier-upload.js`` sends one file per request to the same address and shows each
file's progress. The portal streams each file to the vault as the raw body of a deposit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for

from scelle_portal.backends import ServiceRefused, ServiceUnavailable
from scelle_portal.deposits import deposit_files
from scelle_portal.views import ACTIONS, DESIGNATORS, api, backends, current_account, same_origin

blueprint = Blueprint("designation_form", __name__)

# Why a file was locked, as the vault records it (the designation then stops counting it).
REMOVAL_REASONS = {"demande": "Retiré de la désignation avant l'envoi", "reponse": "Retiré de la réponse avant le refus"}
JUSTIFICATION_MAX = 4000
OPENING = "Le dossier de la désignation est en cours d'ouverture dans le coffre-fort ; la page se met à jour."
# The page of each part of the dossier.
PAGES = {"demande": "designation_form.request_files", "reponse": "designation_form.refusal"}

# What the designation page says after the actions of this module (``?fait=``).
ACTIONS["envoi"] = ("sending", "", "", "La désignation a été envoyée à l'expert : elle apparaît dans « En attente ».")
ACTIONS["refus"] = ("refusal", "", "", "Vous avez refusé la désignation : le magistrat ou le greffier est prévenu.")


@dataclass
class DossierPart:
    """One part of a designation's dossier as the vault shows it to the caller."""

    folder: dict[str, Any] | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None  # why the files cannot be shown
    opening: bool = False  # the vault has not opened the dossier yet: the page reloads itself

    @property
    def present(self) -> list[dict[str, Any]]:
        """The files that count (a locked one was removed)."""
        return [f for f in self.files if not f.get("locked")]


def load_designation(designation_id: str) -> dict[str, Any]:
    """The designation as the service shows it to the caller (404 for anyone else)."""
    try:
        return api("designation", f"/v1/designations/{designation_id}")
    except ServiceRefused as exc:
        if exc.status in (403, 404):
            abort(404)
        raise


def dossier_part(designation_id: str, part: str) -> DossierPart:
    try:
        dossier = api("documents", f"/v1/designations/{designation_id}/folders")
    except ServiceRefused as exc:
        if exc.status == 404:
            return DossierPart(problem=OPENING, opening=True)
        return DossierPart(problem=exc.message)
    except ServiceUnavailable as exc:
        g.setdefault("degraded", []).append(f"Documents de la désignation : {exc.message}")
        return DossierPart(problem=f"{exc.message} Réessayez dans un instant.")
    folder = next((f for f in dossier.get("folders", []) if str(f.get("path", "")).endswith(f"/{part}")), None)
    if folder is None:
        return DossierPart(problem=OPENING, opening=True)
    try:
        page = api("documents", f"/v1/folders/{folder['id']}/documents", {"limit": 200})
    except (ServiceRefused, ServiceUnavailable) as exc:
        return DossierPart(folder=folder, problem=exc.message)
    return DossierPart(folder=folder, files=sorted(page.get("items", []), key=lambda d: str(d.get("deposited_at"))))


@blueprint.post("/designations/<designation_id>/depot/<part>")
def upload(designation_id: str, part: str) -> Response | tuple[str, int]:
    """Files into one part of the dossier (the vault decides who may deposit where): back to its
    page, or that page with the vault's French reason (422)."""
    if part not in PAGES:
        abort(404)
    if not same_origin():
        abort(403)
    # Only this address takes files: up to the portal's upload limit, not its page limit.
    request.max_content_length = current_app.extensions["portal_settings"].max_upload_bytes
    dossier = dossier_part(designation_id, part)
    files = [f for f in request.files.getlist("fichiers") if f.filename]
    if dossier.folder is None:
        error = dossier.problem
    elif not files:
        error = "Choisissez au moins un fichier à déposer."
    else:
        count, error = deposit_files(dossier.folder, files, request.form.get("cle", "")[:100])
        if error is None:
            return redirect(url_for(PAGES[part], designation_id=designation_id, deposes=count), code=303)
    if part == "demande":
        return request_files_page(designation_id, upload_error=error), 422
    return refusal_page(designation_id, upload_error=error), 422


# -- step 02: the request files, then Envoyer ------------------------------------------------


@blueprint.post("/designations/nouvelle")
def create() -> Response:
    """Step 01 → 02: the expert chosen on a directory card opens a draft with that expert."""
    if g.principal.profile not in DESIGNATORS:
        abort(404)
    if not same_origin():
        abort(403)
    me = current_account() or {}
    form = request.form
    expert = {"account_id": form.get("account_id", ""), "given_name": form.get("given_name") or None,
              "surname": form.get("surname") or None, "email": form.get("email") or None,
              "court_code": form.get("court_code") or None, "national_list": form.get("national_list") == "1",
              "specialities": [s for s in form.getlist("specialite") if s]}
    designator = {"given_name": me.get("given_name"), "surname": me.get("surname"), "email": me.get("email")}
    # The card's key: choosing the same card twice (a double click) opens one draft.
    key = form.get("cle", "")[:100] or uuid.uuid4().hex
    draft = backends().call("designation", "POST", "/v1/designations", token=g.token, request_id=g.request_id,
                            json={"expert": expert, "designator": designator}, headers={"Idempotency-Key": key})
    return redirect(url_for("designation_form.request_files", designation_id=draft["id"]), code=303)


@blueprint.get("/designations/<designation_id>/documents")
def request_files(designation_id: str) -> str:
    """Step 02 *Sélection des documents de désignation*: the files deposited so far, more files,
    *Retirer* each, then *Envoyer*."""
    if g.principal.profile not in DESIGNATORS:
        abort(404)
    return request_files_page(designation_id)


def request_files_page(designation_id: str, upload_error: str | None = None) -> str:
    current_account()
    item = load_designation(designation_id)
    return render_template("designation_files.html", d=item, dossier=dossier_part(designation_id, "demande"),
                           upload_error=upload_error, deposited=request.args.get("deposes"),
                           removed="retire" in request.args, upload_key=uuid.uuid4().hex)


@blueprint.route("/designations/<designation_id>/envoi", methods=["GET", "POST"])
def send(designation_id: str) -> str | Response | tuple[str, int]:
    """*Envoyer*: a confirmation page naming the expert and the files (GET), then the sending (POST)."""
    if g.principal.profile not in DESIGNATORS:
        abort(404)
    if request.method == "POST" and not same_origin():
        abort(403)
    current_account()
    error = None
    if request.method == "POST":
        try:
            backends().post("designation", f"/v1/designations/{designation_id}/sending", token=g.token,
                            request_id=g.request_id)
            return redirect(url_for("portal.designation", designation_id=designation_id, fait="envoi"), code=303)
        except ServiceRefused as exc:
            if exc.status == 404:
                abort(404)
            error = exc.message
    item = load_designation(designation_id)
    if item.get("status") != "brouillon":
        return redirect(url_for("portal.designation", designation_id=designation_id), code=303)
    page = render_template("designation_send.html", d=item, dossier=dossier_part(designation_id, "demande"),
                           error=error)
    return (page, 422) if error else page


@blueprint.route("/designations/<designation_id>/documents/<document_id>/retrait", methods=["GET", "POST"])
def remove_file(designation_id: str, document_id: str) -> str | Response:
    """*Retirer* a file of the dossier before sending (or before refusing): confirmation, then the lock."""
    part = request.args.get("partie", "demande")
    if part not in PAGES:
        abort(404)
    if request.method == "POST" and not same_origin():
        abort(403)
    current_account()
    error = None
    if request.method == "POST":
        try:
            backends().post("documents", f"/v1/documents/{document_id}/lock", token=g.token, request_id=g.request_id,
                            json={"reason": REMOVAL_REASONS[part]})
            return redirect(url_for(PAGES[part], designation_id=designation_id, retire=1), code=303)
        except ServiceRefused as exc:
            if exc.status == 404:
                abort(404)
            error = exc.message
    item = load_designation(designation_id)
    try:
        document = api("documents", f"/v1/documents/{document_id}")
    except ServiceRefused as exc:
        if exc.status in (403, 404):
            abort(404)
        raise
    return render_template("designation_remove_file.html", d=item, document=document, part=part,
                           back=PAGES[part], error=error)


# -- the expert's Refuser ---------------------------------------------------------------------


@blueprint.route("/designations/<designation_id>/refus", methods=["GET", "POST"])
def refusal(designation_id: str) -> str | Response | tuple[str, int]:
    """*Refuser*: the justification and ≥ 1 file in the answer's dossier, then a confirmation page
    before the refusal is sent (it is final)."""
    if g.principal.profile != "expert":
        abort(404)
    if request.method == "GET":
        return refusal_page(designation_id)
    if not same_origin():
        abort(403)
    justification = request.form.get("justification", "").strip()
    if not justification:
        return refusal_page(designation_id, justification_error="Justification : à renseigner."), 422
    if len(justification) > JUSTIFICATION_MAX:
        return refusal_page(designation_id, justification=justification,
                            justification_error=f"Justification : {JUSTIFICATION_MAX} caractères au plus."), 422
    if request.form.get("confirme") != "1":
        return refusal_page(designation_id, justification=justification, confirming=True)
    try:
        backends().post("designation", f"/v1/designations/{designation_id}/refusal", token=g.token,
                        request_id=g.request_id, json={"justification": justification})
    except ServiceRefused as exc:
        if exc.status == 404:
            abort(404)
        return refusal_page(designation_id, justification=justification, refusal_error=exc.message), 422
    return redirect(url_for("portal.designation", designation_id=designation_id, fait="refus"), code=303)


def refusal_page(designation_id: str, *, justification: str = "", justification_error: str | None = None,
                 refusal_error: str | None = None, upload_error: str | None = None, confirming: bool = False) -> str:
    current_account()
    item = load_designation(designation_id)
    return render_template("refusal.html", d=item, dossier=dossier_part(designation_id, "reponse"),
                           justification=justification, justification_error=justification_error,
                           refusal_error=refusal_error, upload_error=upload_error, confirming=confirming,
                           deposited=request.args.get("deposes"), removed="retire" in request.args,
                           upload_key=uuid.uuid4().hex)
