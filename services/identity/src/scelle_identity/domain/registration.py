"""Registration on first login with a trusted, unknown certificate (DESIGN §6.8, REFERENCE §1.4).

The certificate's family decides the profiles on offer; an expert declares a cour d'appel,
the liste nationale flag and specialities of the current nomenclature, and a full address; a
lawyer's names are those of the certificate; everyone accepts the current CGU version.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from scelle_identity.domain.accounts import Address
from scelle_identity.domain.certificates import CertificateFacts
from scelle_identity.domain.directory import search_key
from scelle_identity.domain.errors import InvalidRequest
from scelle_identity.domain.profiles import AVOCAT, EXPERT, JUSTICE_PROFILES, registrable_profiles
from scelle_identity.domain.reference import Nomenclature


@dataclass(frozen=True)
class RegistrationForm:
    """What the holder submitted (already shaped by the API schema)."""

    email: str
    cgu_version: str
    profile: str | None = None
    given_name: str | None = None
    surname: str | None = None
    phone_fixed: str | None = None
    phone_mobile: str | None = None
    address: Address = field(default_factory=Address)
    address_text: str | None = None
    court_code: str | None = None
    national_list: bool | None = None
    specialities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Registration:
    """A registration the rules accept: what the new account will hold."""

    profile: str
    given_name: str
    surname: str
    email: str
    phone_fixed: str | None
    phone_mobile: str | None
    address: Address
    address_text: str | None
    court_code: str | None
    national_list: bool
    specialities: tuple[str, ...]
    cgu_version: str


def validate_registration(
    form: RegistrationForm,
    certificate: CertificateFacts,
    family_name: str,
    *,
    current_cgu: str,
    courts: Collection[str],
    nomenclature: Nomenclature,
) -> Registration:
    """Accept ``form`` for a certificate of ``family_name`` or raise :class:`InvalidRequest`."""
    errors: dict[str, str] = {}
    profile = _profile(form.profile, certificate.profile_hint, registrable_profiles(family_name), errors)
    given_name = (form.given_name or certificate.given_name or "").strip()
    surname = (form.surname or certificate.surname or "").strip()
    if profile == AVOCAT:
        # A lawyer's names are those the CNB certified (REFERENCE §1.4): never typed in.
        for pointer, typed, certified in (("/given_name", form.given_name, certificate.given_name),
                                          ("/surname", form.surname, certificate.surname)):
            if typed and certified and search_key(typed) != search_key(certified):
                errors[pointer] = "le nom d'un avocat est celui de son certificat"
        given_name = (certificate.given_name or given_name).strip()
        surname = (certificate.surname or surname).strip()
    if not given_name:
        errors["/given_name"] = "obligatoire"
    if not surname:
        errors["/surname"] = "obligatoire"
    if form.cgu_version != current_cgu:
        errors["/cgu_version"] = f"la version en vigueur des CGU est {current_cgu}"

    if profile == EXPERT:
        if not form.court_code:
            errors["/court_code"] = "obligatoire pour un expert"
        elif form.court_code not in courts:
            errors["/court_code"] = "cour d'appel inconnue"
        if not form.specialities:
            errors["/specialities"] = "au moins une spécialité"
        for index, code in enumerate(form.specialities):
            if not nomenclature.declarable(code):
                errors[f"/specialities/{index}"] = f"{code} n'est pas une rubrique ou spécialité de la nomenclature"
        if not form.address.complete:
            errors["/address"] = "rue, code postal et ville sont obligatoires pour un expert"
    elif profile is not None:  # an unknown profile is the one error worth reporting
        for pointer, given in (("/court_code", form.court_code), ("/specialities", form.specialities),
                               ("/national_list", form.national_list)):
            if given:
                errors[pointer] = "réservé aux experts"
    if form.address_text and profile is not None and profile not in JUSTICE_PROFILES:
        errors["/address_text"] = "réservé aux magistrats et greffiers"
    if errors:
        raise InvalidRequest("L'inscription ne peut pas être acceptée telle quelle.", errors)
    assert profile is not None
    return Registration(
        profile=profile,
        given_name=given_name,
        surname=surname,
        email=form.email.strip(),
        phone_fixed=form.phone_fixed,
        phone_mobile=form.phone_mobile,
        address=form.address,
        address_text=form.address_text,
        court_code=form.court_code if profile == EXPERT else None,
        national_list=bool(form.national_list) if profile == EXPERT else False,
        specialities=tuple(sorted(set(form.specialities))) if profile == EXPERT else (),
        cgu_version=form.cgu_version,
    )


def _profile(asked: str | None, hint: str | None, offered: tuple[str, ...], errors: dict[str, str]) -> str | None:
    if asked is not None:
        if asked not in offered:
            errors["/profile"] = f"ce certificat permet seulement : {', '.join(offered)}"
            return None
        return asked
    if hint in offered:
        return hint
    if len(offered) == 1:
        return offered[0]
    errors["/profile"] = f"à choisir parmi : {', '.join(offered)}"
    return None
