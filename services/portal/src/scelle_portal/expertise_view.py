"""One expertise, documents side (REFERENCE §3, §5, §6.3; DESIGN §6.4–6.6, §6.9).

* the folder tree the vault shows the caller (DESIGN §6.4 ids in the address: ``?dossier=
  magistrat/magistrat-vers-expert``), each folder with its document count and *New* badge;
* a folder's files: depositor, size, date, receipt, lock; single downloads and receipts are
  links to the gateway's ``/api/documents/…`` route (same certificate, streamed by the gateway
  straight from the vault); several files at once are one ZIP the vault streams and the portal
  passes on chunk by chunk;
* deposits where the vault allows them, after the *dépôt définitif* warning (deposits can be
  neither deleted nor modified), with each file's progress (``static/dossier-upload.js``, as for designation files);
* *Verrouiller* a wrong deposit (its depositor or the owner expert), with a reason, after a
  confirmation page;
* for the owner expert: sharing a document with participants, its *Contradictoire* (*Non vus /
  Vus*, *Relancer*), and *Suivi du coût* (billing).

The vault and billing decide every right with the caller's token; the portal only offers what the
expertise service says the caller is (``is_owner``) and shows the services' refusals in French.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for

from scelle_portal.backends import ServiceRefused, ServiceUnavailable
from scelle_portal.deposits import deposit_files
from scelle_portal.views import api, backends, current_account, section, same_origin

blueprint = Blueprint("expertise_view", __name__)

# The gateway routes /api/documents/ to the vault with the same client certificate: a download is
# streamed by the gateway itself, never through the portal.
VAULT_API = "/api/documents/v1"
ZIP_CHUNK_BYTES = 1024 * 1024

LOCK_REASON_MAX = 1000
DONE = {
    "partage": "Le partage du document a été mis à jour.",
    "verrou": "Le document est verrouillé : il reste dans la liste, barré, et ne peut plus être téléchargé.",
    "relance": "Une relance a été envoyée à ceux qui n'ont pas encore téléchargé le document.",
}


@dataclass
class FolderNode:
    """A level of the folder tree: a group (« Parties / Dupont ») or a folder of the vault."""

    label: str
    folder: dict[str, Any] | None = None
    children: list[FolderNode] = field(default_factory=list)

    @property
    def document_count(self) -> int:
        own = int((self.folder or {}).get("document_count") or 0)
        return own + sum(child.document_count for child in self.children)

    @property
    def unread_count(self) -> int:
        own = int((self.folder or {}).get("unread_count") or 0)
        return own + sum(child.unread_count for child in self.children)


def folder_tree(folders: list[dict[str, Any]]) -> list[FolderNode]:
    """The vault's folders nested by their labels' levels (« Magistrat / Magistrat → Expert »), in
    the vault's order."""
    roots: list[FolderNode] = []
    for folder in folders:
        level = roots
        parts = [part.strip() for part in str(folder.get("label") or folder.get("path")).split(" / ")]
        for depth, part in enumerate(parts):
            node = next((n for n in level if n.label == part and (depth < len(parts) - 1 or n.folder is None)), None)
            if node is None:
                node = FolderNode(part)
                level.append(node)
            if depth == len(parts) - 1:
                node.folder = folder
            level = node.children
    return roots


def euros(cents: int | None) -> str:
    """« 1 234,50 € » (narrow no-break space between thousands, as French typography wants)."""
    if cents is None:
        return "—"
    units, rest = divmod(abs(int(cents)), 100)
    grouped = f"{units:,}".replace(",", "\u202f")
    return f"{'-' if cents < 0 else ''}{grouped},{rest:02d}\u00a0€"


blueprint.add_app_template_filter(euros, "euros")


def load_case(expertise_id: str) -> dict[str, Any]:
    """The case as the expertise service shows it to the caller (404 for anyone else)."""
    try:
        return api("expertise", f"/v1/expertises/{expertise_id}")
    except ServiceRefused as exc:
        if exc.status in (403, 404):
            abort(404)
        raise


def depositors(case: dict[str, Any]) -> dict[str, str]:
    """Account id → the name a person reads in the lists (« Hélène GARNIER »)."""
    return {str(p["account_id"]): p.get("display_name") or f"{p.get('given_name') or ''} {p.get('surname') or ''}".strip()
            for p in case.get("participants") or [] if p.get("account_id")}


def find_folder(folders: list[dict[str, Any]], wanted: str | None) -> dict[str, Any] | None:
    """The folder named in the address by its stable id (``magistrat/magistrat-vers-expert``) or
    by the vault's id (links from search results)."""
    if not wanted:
        return None
    return next((f for f in folders if wanted in (f.get("path"), str(f.get("id")))), None)


@blueprint.get("/expertises/<expertise_id>")
def expertise(expertise_id: str) -> str | tuple[str, int]:
    return expertise_page(expertise_id)


def expertise_page(expertise_id: str, *, status: int = 200, selection_error: str | None = None,
                   upload_error: str | None = None) -> str | tuple[str, int]:
    current_account()
    try:
        case = load_case(expertise_id)
    except ServiceUnavailable as exc:
        return render_template("expertise.html", case=None, case_error=exc.message + " Réessayez dans un instant.")
    vault, folders_error = section(
        "Coffre-fort", lambda: api("documents", f"/v1/expertises/{expertise_id}/folders"), {"folders": []})
    folders = vault.get("folders") or []
    folder = find_folder(folders, request.values.get("dossier"))
    documents: list[dict[str, Any]] = []
    documents_error = None
    if folder is not None:
        page, documents_error = section(
            "Documents du dossier", lambda: api("documents", f"/v1/folders/{folder['id']}/documents", {"limit": 200}),
            {"items": []})
        documents = page.get("items") or []
    deposited = request.args.get("deposes", type=int)
    html = render_template(
        "expertise.html", case=case, case_error=None, tab="documents", folder_nodes=folder_tree(folders),
        folders_error=folders_error, unread_total=vault.get("unread_count"), folder=folder, documents=documents,
        documents_error=documents_error, names=depositors(case), my_account_id=g.principal.account_id,
        vault_api=VAULT_API, deposited=deposited, done=DONE.get(request.args.get("fait", "")),
        selection_error=selection_error, upload_error=upload_error,
        upload_key=request.form.get("cle") or uuid.uuid4().hex)
    return html, status


# -- several documents as one ZIP ---------------------------------------------------------------


@blueprint.post("/expertises/<expertise_id>/archive")
def archive(expertise_id: str) -> Response | str | tuple[str, int]:
    """The checked documents as one ZIP, streamed from the vault as it makes it."""
    if not same_origin():
        abort(403)
    chosen = [value for value in request.form.getlist("document") if value][:2000]
    if not chosen:
        return expertise_page(expertise_id, status=422,
                              selection_error="Cochez au moins un document à télécharger.")
    try:
        answer = backends().send("documents", "POST", f"/v1/expertises/{expertise_id}/archive", token=g.token,
                                 request_id=g.request_id, json={"document_ids": chosen}, stream=True)
    except ServiceRefused as exc:
        if exc.status == 404:
            abort(404)
        return expertise_page(expertise_id, status=exc.status if exc.status in (403, 409, 422) else 400,
                              selection_error=exc.message)

    headers = {name: answer.headers[name] for name in ("Content-Disposition", "Content-Length")
               if name in answer.headers}
    headers["Cache-Control"] = "private, no-store"
    zipped = Response(answer.iter_content(ZIP_CHUNK_BYTES), mimetype="application/zip", headers=headers,
                      direct_passthrough=True)
    # Released however the response ends: sent whole, cut by the client, or never started.
    zipped.call_on_close(answer.close)
    return zipped


# -- deposits -----------------------------------------------------------------------------------


@blueprint.post("/expertises/<expertise_id>/depot")
def deposit(expertise_id: str) -> Response | str | tuple[str, int]:
    """Files into a folder of the vault (which decides who may deposit where), then back to it.

    The *dépôt définitif* warning is a required checkbox: the browser asks for it before sending,
    with or without JavaScript; the vault takes a deposit from any client, with its own rules."""
    if not same_origin():
        abort(403)
    # Only the pages that deposit take files: up to the portal's upload limit, not its page limit.
    request.max_content_length = current_app.extensions["portal_settings"].max_upload_bytes
    files = [f for f in request.files.getlist("fichiers") if f.filename]
    wanted = request.args.get("dossier") or request.form.get("dossier")
    vault, _ = section("Coffre-fort", lambda: api("documents", f"/v1/expertises/{expertise_id}/folders"),
                       {"folders": []})
    folder = find_folder(vault.get("folders") or [], wanted)
    if folder is None:
        error = "Ce dossier n'est pas disponible pour le moment."
    elif not files:
        error = "Choisissez au moins un fichier à déposer."
    else:
        count, error = deposit_files(folder, files, request.form.get("cle", "")[:100])
        if error is None:
            return redirect(url_for("expertise_view.expertise", expertise_id=expertise_id, dossier=folder["path"],
                                    deposes=count), code=303)
    return expertise_page(expertise_id, status=422, upload_error=error)


# -- one document: sharing, contradictoire ------------------------------------------------------


def load_document(document_id: str) -> dict[str, Any]:
    try:
        return api("documents", f"/v1/documents/{document_id}")
    except ServiceRefused as exc:
        if exc.status == 404:
            abort(404)
        raise


@blueprint.route("/expertises/<expertise_id>/documents/<document_id>/partage", methods=["GET", "POST"])
def share(expertise_id: str, document_id: str) -> str | Response:
    """*Partager*: the owner expert ticks who may download a document of a shared folder."""
    current_account()
    case = load_case(expertise_id)
    document = load_document(document_id)
    if "shared_with" not in document:  # the vault tells only the owner expert who it is shared with
        abort(404)
    people = [p for p in case.get("participants") or [] if p.get("account_id") != g.principal.account_id]
    error = None
    if request.method == "POST":
        if not same_origin():
            abort(403)
        wanted = set(request.form.getlist("participant"))
        current = set(document["shared_with"])
        try:
            for person in people:
                pid = str(person["id"])
                if (pid in wanted) != (pid in current):
                    backends().call("documents", "PUT" if pid in wanted else "DELETE",
                                    f"/v1/documents/{document_id}/shares/{pid}", token=g.token,
                                    request_id=g.request_id)
            return redirect(url_for("expertise_view.expertise", expertise_id=expertise_id,
                                    dossier=document["folder_path"], fait="partage"), code=303)
        except ServiceRefused as exc:
            error = exc.message
            document = load_document(document_id)
    return render_template("expertise_share.html", case=case, tab="documents", document=document, people=people,
                           shared=set(document["shared_with"]), error=error)


@blueprint.route("/expertises/<expertise_id>/documents/<document_id>/verrou", methods=["GET", "POST"])
def lock(expertise_id: str, document_id: str) -> str | Response | tuple[str, int]:
    """*Verrouiller*: what it does and a reason (GET), then the lock (POST). Deposits are final: a
    lock is how a wrong one is neutralised, kept and traced (REFERENCE §5.1)."""
    current_account()
    case = load_case(expertise_id)
    document = load_document(document_id)
    reason, error = "", None
    if request.method == "POST":
        if not same_origin():
            abort(403)
        reason = request.form.get("motif", "").strip()[:LOCK_REASON_MAX]
        if not reason:
            error = "Motif : à renseigner (il sera visible de tous ceux qui voient le document)."
        else:
            try:
                backends().post("documents", f"/v1/documents/{document_id}/lock", token=g.token,
                                request_id=g.request_id, json={"reason": reason})
                return redirect(url_for("expertise_view.expertise", expertise_id=expertise_id,
                                        dossier=document["folder_path"], fait="verrou"), code=303)
            except ServiceRefused as exc:
                error = exc.message
    html = render_template("expertise_lock.html", case=case, tab="documents", document=document, reason=reason,
                           error=error, reason_max=LOCK_REASON_MAX)
    return (html, 422) if error else html


@blueprint.get("/expertises/<expertise_id>/documents/<document_id>/contradictoire")
def contradictoire(expertise_id: str, document_id: str) -> str:
    """*Contradictoire* of one document (owner expert): who of those entitled downloaded it, when."""
    current_account()
    case = load_case(expertise_id)
    try:
        view = api("documents", f"/v1/documents/{document_id}/contradictoire")
    except ServiceRefused as exc:
        if exc.status == 404:
            abort(404)
        raise
    return render_template("expertise_contradictoire.html", case=case, tab="documents", view=view,
                           document=view["document"], done=DONE.get(request.args.get("fait", "")), error=None)


@blueprint.post("/expertises/<expertise_id>/documents/<document_id>/relance")
def remind(expertise_id: str, document_id: str) -> Response | str | tuple[str, int]:
    """*Relancer*: those entitled who have not downloaded the document yet are asked to."""
    if not same_origin():
        abort(403)
    try:
        backends().post("documents", f"/v1/documents/{document_id}/reminders", token=g.token,
                        request_id=g.request_id)
    except ServiceRefused as exc:
        if exc.status == 404:
            abort(404)
        current_account()
        case = load_case(expertise_id)
        view = api("documents", f"/v1/documents/{document_id}/contradictoire")
        return render_template("expertise_contradictoire.html", case=case, tab="documents", view=view,
                               document=view["document"], done=None, error=exc.message), 409
    return redirect(url_for("expertise_view.contradictoire", expertise_id=expertise_id, document_id=document_id,
                            fait="relance"), code=303)


# -- Suivi du coût --------------------------------------------------------------------------------


@blueprint.get("/expertises/<expertise_id>/cout")
def cost(expertise_id: str) -> str:
    """*Suivi du coût* (owner expert): lines accrued, invoices, what is due (billing decides)."""
    current_account()
    case = load_case(expertise_id)
    tracking, error = section("Suivi du coût", lambda: api("billing", f"/v1/expertises/{expertise_id}/cost"), None)
    return render_template("expertise_cost.html", case=case, tab="cout", tracking=tracking, error=error)
