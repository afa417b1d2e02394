"""First login, registration, association of a new certificate, CGU (DESIGN §6.8, REFERENCE §1.4, §7).

A trusted certificate no account holds gets, from the gateway, a *registrant* token on these
pages only (``/inscription…``); identity honours it for registering, the reference data the form
needs and association links, and nothing else. An account whose CGU version is out of date is
sent by the gateway to ``/cgu`` from any page, with a token identity honours there. The portal
checks what a person can fix in the form (French message per field, what was typed kept);
identity decides the rest and its refusals are shown field by field.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from scelle_common.http.principal import REGISTRANT_PROFILE
from scelle_portal.backends import ServiceRefused, ServiceUnavailable
from scelle_portal.views import api, backends, same_origin, section

blueprint = Blueprint("inscription", __name__)

# The profiles a person registers with their own certificate (identity decides which one the
# certificate's family allows); parties and sapiteurs get software certificates by invitation.
PROFILE_CHOICES = (("expert", "Expert"), ("magistrat", "Magistrat"), ("greffier", "Greffier"),
                   ("avocat", "Avocat"))
# identity's limits (REFERENCE §1.4), checked here so that a person reads them in French.
NAME_MAX, EMAIL_MAX, PHONE_MAX = 128, 92, 32
STREET_MAX, POSTAL_CODE_MAX, CITY_MAX, COUNTRY_MAX, JUSTICE_ADDRESS_MAX = 192, 8, 32, 64, 300
PHONE = re.compile(r"^\+?[0-9][0-9 .()/-]{5,30}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ASSOCIATION_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
LINK_STATES = {"usable": "Utilisable", "used": "Déjà utilisé", "expired": "Expiré", "withdrawn": "Retiré"}

FIELD_LABELS = {
    "profile": "Profil", "given_name": "Prénom", "surname": "Nom", "email": "Courriel",
    "phone_fixed": "Téléphone fixe", "phone_mobile": "Téléphone mobile", "street": "Adresse (rue)",
    "postal_code": "Code postal", "city": "Ville", "country": "Pays", "address_text": "Adresse",
    "court_code": "Cour d'appel", "national_list": "Liste nationale", "specialities": "Spécialités",
    "cgu": "Conditions générales d'utilisation",
}
# identity's JSON pointers → the form's fields.
POINTER_FIELDS = {"given_name": "given_name", "surname": "surname", "email": "email", "phone_fixed": "phone_fixed",
                  "phone_mobile": "phone_mobile", "address": "street", "street": "street",
                  "postal_code": "postal_code", "city": "city", "country": "country", "address_text": "address_text",
                  "court_code": "court_code", "national_list": "national_list", "specialities": "specialities",
                  "profile": "profile", "cgu_version": "cgu"}
TEXT_FIELDS = ("profile", "given_name", "surname", "email", "phone_fixed", "phone_mobile", "street", "postal_code",
               "city", "country", "address_text", "court_code", "national_list", "cgu_version")

# The only pages a registrant token opens (flask_app answers the question page elsewhere).
REGISTRANT_ENDPOINTS = frozenset({"inscription.register", "inscription.association",
                                  "inscription.association_link"})


def is_registrant() -> bool:
    return g.principal.profile == REGISTRANT_PROFILE


def new_certificate_page() -> Response:
    """« Nouveau certificat reconnu — Disposez-vous d'un compte ? » (401: no account yet)."""
    return Response(render_template("inscription_question.html"), status=401, mimetype="text/html")


# -- registration -----------------------------------------------------------------------------


@blueprint.route("/inscription", methods=["GET", "POST"])
def register() -> str | Response:
    """*Créer un compte*: the form, the CGU in force and its acceptance; identity creates the account."""
    if request.method == "POST" and not same_origin():
        abort(403)
    if not is_registrant():
        return redirect(url_for("portal.workspace"), code=303)
    cgu, cgu_error = section("Conditions générales", lambda: api("identity", "/v1/cgu/current"), None)
    courts, _ = section("Cours d'appel", lambda: api("identity", "/v1/courts")["courts"], [])
    specialities, _ = section("Spécialités", lambda: api("identity", "/v1/specialities")["specialities"], [])
    values: dict[str, Any] = {name: "" for name in TEXT_FIELDS}
    values.update(country="France", national_list="non", specialities=[], cgu_accepted=False)
    errors: dict[str, str] = {}
    error = None
    if request.method == "POST":
        values = {name: request.form.get(name, "").strip() for name in TEXT_FIELDS}
        values["specialities"] = [code for code in request.form.getlist("specialities") if code]
        values["cgu_accepted"] = request.form.get("cgu_accepted") == "oui"
        errors = check_registration(values)
        if cgu is None:
            error = cgu_error
        elif not errors:
            try:
                backends().post("identity", "/v1/registrations", token=g.token, request_id=g.request_id,
                                json=registration_body(values))
                return redirect(url_for("portal.workspace"), code=303)
            except ServiceRefused as exc:
                errors = field_errors(exc)
                error = exc.message
            except ServiceUnavailable as exc:
                error = exc.message + " Votre saisie est conservée : réessayez dans un instant."
    return render_template("inscription.html", values=values, errors=errors, error=error, cgu=cgu,
                           cgu_error=cgu_error, cgu_html=cgu_html(cgu["body"]) if cgu else None, courts=courts,
                           specialities=specialities, profiles=PROFILE_CHOICES, labels_by_field=FIELD_LABELS)


def check_registration(values: dict[str, Any]) -> dict[str, str]:
    """What the person can fix before identity is asked, in French, per field."""
    errors: dict[str, str] = {}
    profile = values["profile"]

    def need(name: str, message: str = "à renseigner.") -> None:
        if not values[name]:
            errors.setdefault(name, f"{FIELD_LABELS[name]} : {message}")

    if profile not in dict(PROFILE_CHOICES):
        errors["profile"] = "Profil : choisissez celui que votre certificat permet."
    if profile != "avocat":  # a lawyer's names are those of the certificate
        need("given_name")
        need("surname")
    need("email")
    for name, limit in (("given_name", NAME_MAX), ("surname", NAME_MAX), ("email", EMAIL_MAX),
                        ("street", STREET_MAX), ("postal_code", POSTAL_CODE_MAX), ("city", CITY_MAX),
                        ("country", COUNTRY_MAX), ("address_text", JUSTICE_ADDRESS_MAX)):
        if len(values[name]) > limit:
            errors[name] = f"{FIELD_LABELS[name]} : {limit} caractères au plus."
    if values["email"] and "email" not in errors and not EMAIL.match(values["email"]):
        errors["email"] = "Courriel : une adresse de la forme nom@domaine.fr."
    for name in ("phone_fixed", "phone_mobile"):
        if values[name] and not PHONE.match(values[name]):
            errors[name] = f"{FIELD_LABELS[name]} : chiffres, espaces, points ou tirets, « + » en tête pour l'international."
    if profile == "expert":
        for name in ("street", "postal_code", "city"):
            need(name, "obligatoire pour un expert.")
        need("court_code", "choisissez votre cour d'appel.")
        if not values["specialities"]:
            errors["specialities"] = "Spécialités : cochez au moins une rubrique ou spécialité."
    if not values["cgu_accepted"]:
        errors["cgu"] = "Conditions générales d'utilisation : cochez la case pour les accepter."
    return errors


def registration_body(values: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/registrations`` as identity's contract has it, for the chosen profile."""
    profile = values["profile"]
    body: dict[str, Any] = {"profile": profile, "email": values["email"], "cgu_version": values["cgu_version"],
                            "phone_fixed": values["phone_fixed"] or None,
                            "phone_mobile": values["phone_mobile"] or None}
    if profile != "avocat":
        body.update(given_name=values["given_name"], surname=values["surname"])
    if profile == "expert":
        body.update(address={name: values[name] or None for name in ("street", "postal_code", "city", "country")},
                    court_code=values["court_code"], national_list=values["national_list"] == "oui",
                    specialities=values["specialities"])
    elif profile in ("magistrat", "greffier"):
        body["address_text"] = values["address_text"] or None
    return body


def field_errors(refusal: ServiceRefused) -> dict[str, str]:
    """identity's per-field refusals (JSON pointers, French details) under the form's fields."""
    errors: dict[str, str] = {}
    for entry in refusal.errors:
        parts = str(entry.get("pointer", "")).strip("/").split("/")
        # "/address/city" is the city's; "/specialities/2" is the specialities'.
        field = POINTER_FIELDS.get(parts[-1]) or POINTER_FIELDS.get(parts[0])
        if field is not None:
            errors.setdefault(field, f"{FIELD_LABELS[field]} : {entry.get('detail') or 'valeur refusée'}.")
    return errors


def cgu_html(markdown: str) -> Markup:
    """The CGU's short Markdown (paragraphs, numbered items, bold, italics) as safe HTML; its
    heading is left out, the page shows the title itself."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", markdown.strip()):
        lines = paragraph.splitlines()
        if lines[0].startswith("#"):
            continue
        if re.match(r"\d+\.\s", lines[0]):
            items: list[str] = []
            for line in lines:
                numbered = re.match(r"\d+\.\s+(.*)", line)
                if numbered:
                    items.append(numbered.group(1))
                else:
                    items[-1] += " " + line.strip()
            blocks.append("<ol>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ol>")
        else:
            blocks.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return Markup("".join(blocks))


def _inline(text: str) -> str:
    html = str(escape(text))
    html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", html)


# -- association of a new certificate (cases A, B) ---------------------------------------------


@blueprint.get("/inscription/association")
def association() -> str | Response:
    """*Oui, j'ai un compte*: how to bind this certificate, and where to paste the mailed link."""
    pasted = request.args.get("lien", "").strip()
    error = None
    if pasted:
        found = ASSOCIATION_TOKEN.findall(pasted.rstrip("/").rsplit("/", 1)[-1])
        if found:
            return redirect(url_for("inscription.association_link", token=found[0]), code=303)
        error = "Ce lien n'est pas un lien d'association Scellé : copiez l'adresse complète reçue par courriel."
    return render_template("inscription_association.html", pasted=pasted, error=error,
                           registrant=is_registrant())


@blueprint.route("/inscription/association/<token>", methods=["GET", "POST"])
def association_link(token: str) -> str | Response:
    """The mailed link opened with the new certificate: whose account, then *Associer*."""
    if not ASSOCIATION_TOKEN.fullmatch(token):
        abort(404)
    error = None
    if request.method == "POST":
        if not same_origin():
            abort(403)
        try:
            account = backends().post("identity", f"/v1/association-links/{token}/redeem", token=g.token,
                                      request_id=g.request_id)
            return render_template("inscription_associee.html", account=account)
        except ServiceRefused as exc:
            if exc.status == 404:
                abort(404)
            error = exc.message
    try:
        link = api("identity", f"/v1/association-links/{token}")
    except ServiceRefused as exc:
        if exc.status == 404:
            abort(404)
        raise
    return render_template("inscription_lien.html", link=link, token=token, error=error, link_states=LINK_STATES)


# -- CGU re-acceptance ------------------------------------------------------------------------


@blueprint.route("/cgu", methods=["GET", "POST"])
def cgu() -> str | Response:
    """A new CGU version is in force: read it and accept it before anything else (DESIGN §6.8)."""
    if request.method == "POST" and not same_origin():
        abort(403)
    current = api("identity", "/v1/cgu/current")
    error = None
    if request.method == "POST":
        if request.form.get("cgu_accepted") != "oui":
            error = "Cochez la case pour accepter les conditions générales d'utilisation."
        else:
            try:
                backends().post("identity", "/v1/cgu/acceptances", token=g.token, request_id=g.request_id,
                                json={"version": request.form.get("version", "")})
                return redirect(url_for("portal.workspace"), code=303)
            except ServiceRefused as exc:
                error = exc.message
    return render_template("cgu.html", cgu=current, cgu_html=cgu_html(current["body"]), error=error)
