"""*Mon compte*, what the holder may change: contact details, *Ajouter un certificat* (case A),
and whether the parties' activity is in the daily digest.

identity lets the holder change e-mail, phones and address (``PATCH /v1/accounts/me``); names,
profile and, for experts, court and specialities are not theirs to change here. Adding a
certificate is identity's case A: a single-use link is mailed to the account's address, to be
opened with the new certificate (REFERENCE §7). Magistrats, greffiers and avocats may leave the
parties' activity out of their digest (notification's preferences, DESIGN §6.10).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from scelle_portal.backends import ServiceRefused, ServiceUnavailable
from scelle_portal.registration import (
    CITY_MAX,
    COUNTRY_MAX,
    EMAIL,
    EMAIL_MAX,
    FIELD_LABELS,
    JUSTICE_ADDRESS_MAX,
    PHONE,
    POSTAL_CODE_MAX,
    STREET_MAX,
    field_errors,
)
from scelle_portal.views import api, backends, current_account, same_origin, section

blueprint = Blueprint("compte", __name__)

CONTACT_FIELDS = ("email", "phone_fixed", "phone_mobile", "street", "postal_code", "city", "country", "address_text")
LIMITS = {"email": EMAIL_MAX, "street": STREET_MAX, "postal_code": POSTAL_CODE_MAX, "city": CITY_MAX,
          "country": COUNTRY_MAX, "address_text": JUSTICE_ADDRESS_MAX}
JUSTICE = {"magistrat", "greffier"}


@blueprint.route("/compte/coordonnees", methods=["GET", "POST"])
def contact_details() -> str | Response:
    """*Modifier mes coordonnées*: e-mail, phones, address (free text for magistrats and greffiers)."""
    if request.method == "POST" and not same_origin():
        abort(403)
    me = current_account()
    if me is None:
        # identity does not answer: nothing to edit (the banner says why).
        return render_template("compte_coordonnees.html", values=None, errors={}, error=None,
                               labels_by_field=FIELD_LABELS, justice=False)
    justice = me.get("profile") in JUSTICE
    address = me.get("address") or {}
    values = {"email": me.get("email") or "", "phone_fixed": me.get("phone_fixed") or "",
              "phone_mobile": me.get("phone_mobile") or "", "address_text": me.get("address_text") or "",
              **{name: address.get(name) or "" for name in ("street", "postal_code", "city", "country")}}
    errors: dict[str, str] = {}
    error = None
    if request.method == "POST":
        values = {name: request.form.get(name, "").strip() for name in CONTACT_FIELDS}
        errors = check_contact(values, expert=me.get("profile") == "expert")
        if not errors:
            body: dict[str, Any] = {"email": values["email"], "phone_fixed": values["phone_fixed"] or None,
                                    "phone_mobile": values["phone_mobile"] or None}
            if justice:
                body["address_text"] = values["address_text"] or None
            else:
                body["address"] = {name: values[name] or None for name in ("street", "postal_code", "city", "country")}
            try:
                backends().call("identity", "PATCH", "/v1/accounts/me", token=g.token, request_id=g.request_id,
                                json=body)
                return redirect(url_for("portal.account", fait="coordonnees"), code=303)
            except ServiceRefused as exc:
                errors = field_errors(exc)
                error = exc.message
            except ServiceUnavailable as exc:
                error = exc.message + " Votre saisie est conservée : réessayez dans un instant."
    return render_template("compte_coordonnees.html", values=values, errors=errors, error=error,
                           labels_by_field=FIELD_LABELS, justice=justice)


def check_contact(values: dict[str, str], *, expert: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values["email"]:
        errors["email"] = "Courriel : à renseigner."
    elif len(values["email"]) > EMAIL_MAX or not EMAIL.match(values["email"]):
        errors["email"] = "Courriel : une adresse de la forme nom@domaine.fr."
    for name, limit in LIMITS.items():
        if name != "email" and len(values[name]) > limit:
            errors[name] = f"{FIELD_LABELS[name]} : {limit} caractères au plus."
    for name in ("phone_fixed", "phone_mobile"):
        if values[name] and not PHONE.match(values[name]):
            errors[name] = f"{FIELD_LABELS[name]} : chiffres, espaces, points ou tirets, « + » en tête pour l'international."
    if expert:
        for name in ("street", "postal_code", "city"):
            if not values[name]:
                errors.setdefault(name, f"{FIELD_LABELS[name]} : obligatoire pour un expert.")
    return errors


@blueprint.route("/compte/ajouter-un-certificat", methods=["GET", "POST"])
def add_certificate() -> str | Response:
    """*Ajouter un certificat*: what will happen (GET), then identity mails the link (POST)."""
    current_account()
    sent = None
    error = None
    if request.method == "POST":
        if not same_origin():
            abort(403)
        try:
            sent = backends().post("identity", "/v1/accounts/me/association-links", token=g.token,
                                   request_id=g.request_id)
        except ServiceRefused as exc:
            error = exc.message
        except ServiceUnavailable as exc:
            error = exc.message + " Réessayez dans un instant."
    return render_template("compte_ajout_certificat.html", sent=sent, error=error)


@blueprint.route("/compte/notifications", methods=["GET", "POST"])
def notifications() -> str | Response:
    """*Compte rendu quotidien*: the parties' activity in it, or not (for those who may opt out)."""
    if request.method == "POST" and not same_origin():
        abort(403)
    current_account()
    error = None
    if request.method == "POST":
        try:
            backends().call("notification", "PUT", "/v1/preferences/me", token=g.token, request_id=g.request_id,
                            json={"party_activity": request.form.get("party_activity") != "non"})
            return redirect(url_for("portal.account", fait="notifications"), code=303)
        except ServiceRefused as exc:
            error = exc.message
        except ServiceUnavailable as exc:
            error = exc.message + " Réessayez dans un instant."
    preferences, load_error = section("Compte rendu quotidien",
                                      lambda: api("notification", "/v1/preferences/me"), None)
    return render_template("compte_notifications.html", preferences=preferences, error=error or load_error)
