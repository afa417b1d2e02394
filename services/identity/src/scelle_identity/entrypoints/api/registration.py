"""Registration, the CGU, and the reference data the registration form needs."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from scelle_identity.domain.accounts import Account, Address
from scelle_identity.domain.cgu import CguVersion
from scelle_identity.domain.registration import RegistrationForm
from scelle_identity.entrypoints.api.common import actor, services
from scelle_identity.entrypoints.api.schemas import (
    AccountSchema,
    CguAcceptanceSchema,
    CguSchema,
    CourtListSchema,
    RegistrationSchema,
    SpecialityListSchema,
)
from scelle_identity.service_layer import accounts, directory

blueprint = Blueprint("registration", __name__, url_prefix="/v1",
                      description="First login with an unknown certificate, and the CGU.")


def address_of(values: dict[str, Any] | None) -> Address:
    values = values or {}
    return Address(values.get("street"), values.get("postal_code"), values.get("city"), values.get("country"))


@blueprint.route("/registrations", methods=["POST"])
@blueprint.arguments(RegistrationSchema)
@blueprint.response(201, AccountSchema)
@blueprint.doc(summary="Create my account with the certificate of this request (registrant token)")
def register(body: dict[str, Any]) -> Account:
    form = RegistrationForm(
        email=body["email"], cgu_version=body["cgu_version"], profile=body.get("profile"),
        given_name=body.get("given_name"), surname=body.get("surname"), phone_fixed=body.get("phone_fixed"),
        phone_mobile=body.get("phone_mobile"), address=address_of(body.get("address")),
        address_text=body.get("address_text"), court_code=body.get("court_code"),
        national_list=body.get("national_list"), specialities=tuple(body.get("specialities") or ()),
    )
    return accounts.register(services(), actor(), form)


@blueprint.route("/cgu/current", methods=["GET"])
@blueprint.response(200, CguSchema)
@blueprint.doc(summary="The CGU version in force")
def current_cgu() -> CguVersion:
    return accounts.current_cgu(services(), actor())


@blueprint.route("/cgu/acceptances", methods=["POST"])
@blueprint.arguments(CguAcceptanceSchema)
@blueprint.response(200, AccountSchema)
@blueprint.doc(summary="Accept the CGU version in force")
def accept_cgu(body: dict[str, str]) -> Account:
    return accounts.accept_cgu(services(), actor(), body["version"])


@blueprint.route("/courts", methods=["GET"])
@blueprint.response(200, CourtListSchema)
@blueprint.doc(summary="The cours d'appel")
def courts() -> dict[str, Any]:
    return {"courts": directory.reference_data(services()).courts}


@blueprint.route("/specialities", methods=["GET"])
@blueprint.response(200, SpecialityListSchema)
@blueprint.doc(summary="The specialities nomenclature offered at registration")
def specialities() -> dict[str, Any]:
    nomenclature = directory.reference_data(services()).nomenclature
    return {"nomenclature": nomenclature.version, "label": nomenclature.label,
            "specialities": sorted(nomenclature.items.values(), key=lambda item: item.code)}
