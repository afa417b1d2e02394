"""Participant roles (DESIGN §6.2), party kinds and representations, and how they fit together.

The participant role *is* the rights-matrix role the vault evaluates. A party member's role
follows from how its party is represented (REFERENCE §1.3): a party without a lawyer publishes
itself (``partie_publiante``); a party represented by an avocat or an expert de partie reads
only (``partie_lectrice``); a ``non_dematerialisee`` party has no members at all.
"""

from __future__ import annotations

EXPERT = "expert"
CO_EXPERT = "co_expert"
SAPITEUR = "sapiteur"
MAGISTRAT = "magistrat"
GREFFIER = "greffier"
AVOCAT = "avocat"
PARTIE_PUBLIANTE = "partie_publiante"
PARTIE_LECTRICE = "partie_lectrice"
EXPERT_DE_PARTIE = "expert_de_partie"

ROLES: tuple[str, ...] = (EXPERT, CO_EXPERT, SAPITEUR, MAGISTRAT, GREFFIER, AVOCAT, PARTIE_PUBLIANTE,
                          PARTIE_LECTRICE, EXPERT_DE_PARTIE)
ROLE_LABELS = {
    EXPERT: "Expert", CO_EXPERT: "Co-expert", SAPITEUR: "Sapiteur", MAGISTRAT: "Magistrat",
    GREFFIER: "Greffier", AVOCAT: "Avocat", PARTIE_PUBLIANTE: "Partie autorisée à publier",
    PARTIE_LECTRICE: "Partie non autorisée à publier",
    EXPERT_DE_PARTIE: "Expert agissant pour une Partie sans accès à la plateforme",
}
# Roles the owner expert adds from a directory (an account exists).
DIRECTORY_ROLES: tuple[str, ...] = (CO_EXPERT, SAPITEUR, MAGISTRAT, GREFFIER, AVOCAT, EXPERT_DE_PARTIE)
PARTY_MEMBER_ROLES: tuple[str, ...] = (PARTIE_PUBLIANTE, PARTIE_LECTRICE)
# Roles that stand for parties: they must name the parties they represent.
REPRESENTATIVE_ROLES = {AVOCAT: "avocat", EXPERT_DE_PARTIE: "expert_de_partie"}

DEMANDEUR = "demandeur"
DEFENDEUR = "defendeur"
INTERVENANT = "intervenant"
PARTY_KINDS: tuple[str, ...] = (DEMANDEUR, DEFENDEUR, INTERVENANT)

REPRESENTED_BY_AVOCAT = "avocat"
SELF_REPRESENTED = "elle_meme"
REPRESENTED_BY_EXPERT = "expert_de_partie"
NON_DEMATERIALISEE = "non_dematerialisee"
REPRESENTATIONS: tuple[str, ...] = (REPRESENTED_BY_AVOCAT, SELF_REPRESENTED, REPRESENTED_BY_EXPERT,
                                    NON_DEMATERIALISEE)
PARTY_NAME_MAX = 256
PERSON_NAME_MAX = 128
EMAIL_MAX = 254
PHONE_MAX = 32

# The account profile identity gives someone invited by e-mail (software certificate).
PARTIE_PROFILE = "partie"
SAPITEUR_EXTERNE_PROFILE = "sapiteur_externe"


def member_role(representation: str) -> str | None:
    """The role of a party's members given its representation; ``None``: it may have none."""
    if representation == SELF_REPRESENTED:
        return PARTIE_PUBLIANTE
    if representation in (REPRESENTED_BY_AVOCAT, REPRESENTED_BY_EXPERT):
        return PARTIE_LECTRICE
    return None


def invitation_profile(role: str) -> str:
    """The profile identity creates for a member invited by e-mail in ``role``."""
    return SAPITEUR_EXTERNE_PROFILE if role == SAPITEUR else PARTIE_PROFILE
