"""Profiles (DESIGN §6.1) and the trusted issuer families that decide them (DESIGN §6.8).

A certificate's issuer family is the only thing that says which profiles its holder may take:
the ``title`` attribute of a subject is a hint, never a right.
"""

from __future__ import annotations

from dataclasses import dataclass

EXPERT = "expert"
AVOCAT = "avocat"
MAGISTRAT = "magistrat"
GREFFIER = "greffier"
PARTIE = "partie"
SAPITEUR_EXTERNE = "sapiteur_externe"
OPERATEUR = "operateur"

PROFILES: tuple[str, ...] = (EXPERT, AVOCAT, MAGISTRAT, GREFFIER, PARTIE, SAPITEUR_EXTERNE, OPERATEUR)

# Principals that are not accounts: a trusted certificate nobody registered yet (it may only
# register, read the CGU or redeem an association link) and a service calling another service.
REGISTRANT = "registrant"
SERVICE = "service"

JUSTICE_PROFILES = frozenset({MAGISTRAT, GREFFIER})
# Who may search the expert directory: those who designate or invite experts, and support.
DIRECTORY_READERS = frozenset({EXPERT, AVOCAT, MAGISTRAT, GREFFIER, OPERATEUR})
# Who may have a software certificate issued for someone else (DESIGN §6.8, REFERENCE §1.5).
SOFTWARE_CERTIFICATE_ISSUERS = frozenset({EXPERT, OPERATEUR})


@dataclass(frozen=True)
class IssuerFamily:
    """One trusted family of certificate issuers."""

    name: str
    label: str
    profiles: tuple[str, ...]
    # Profiles a holder may choose at registration; the rest are given by an operator.
    self_registration: tuple[str, ...]


SOFTWARE_FAMILY = "scelle"

FAMILIES: dict[str, IssuerFamily] = {
    family.name: family
    for family in (
        IssuerFamily("justice", "Ministère de la Justice", (MAGISTRAT, GREFFIER), (MAGISTRAT, GREFFIER)),
        IssuerFamily("avocats", "Conseil national des barreaux / Barreau de Paris", (AVOCAT,), (AVOCAT,)),
        IssuerFamily("experts", "CertEurope (carte de l'expert)", (EXPERT,), (EXPERT,)),
        IssuerFamily(
            SOFTWARE_FAMILY,
            "Scellé (certificats logiciels)",
            (PARTIE, SAPITEUR_EXTERNE, OPERATEUR),
            (PARTIE, SAPITEUR_EXTERNE),
        ),
    )
}


def family(name: str) -> IssuerFamily:
    """The family called ``name``; ``KeyError`` names the known ones."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown issuer family {name!r}; known: {', '.join(FAMILIES)}") from None


def family_allows(family_name: str, profile: str) -> bool:
    """Whether a certificate of ``family_name`` may authenticate an account of ``profile``."""
    return profile in family(family_name).profiles


def registrable_profiles(family_name: str) -> tuple[str, ...]:
    """Profiles a holder of a certificate of ``family_name`` may choose when registering."""
    return family(family_name).self_registration
