"""The vocabulary of notification: profiles, roles, statuses and who may opt out of what."""

from __future__ import annotations

from dataclasses import dataclass

# DESIGN §6.10 and REFERENCE §5.5 (subscribeToPartyNotifications): justice users and lawyers may
# choose not to hear about the other parties' activity.
PROFILES_WITH_PARTY_OPT_OUT = frozenset({"magistrat", "greffier", "avocat"})

# Participant roles whose deposits are "party activity" (DESIGN §6.2).
PARTY_ROLES = frozenset({"avocat", "partie_publiante", "partie_lectrice", "expert_de_partie"})

STATUS_LABELS = {
    "en_creation": "En création",
    "en_cours": "En cours",
    "en_pause": "En pause",
    "terminee": "Terminée",
}

ROLE_LABELS = {
    "expert": "expert",
    "co_expert": "co-expert",
    "sapiteur": "sapiteur",
    "magistrat": "magistrat",
    "greffier": "greffier",
    "avocat": "avocat",
    "partie_publiante": "partie autorisée à publier",
    "partie_lectrice": "partie non autorisée à publier",
    "expert_de_partie": "expert agissant pour une partie",
}


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "")


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", role or "")


def may_opt_out_of_party_activity(profile: str | None) -> bool:
    """Magistrats, greffiers and avocats may; everyone else always hears about party activity."""
    return profile in PROFILES_WITH_PARTY_OPT_OUT


def hears_party_activity(profile: str | None, party_activity: bool) -> bool:
    """Whether this person's digest shows the parties' deposits."""
    return party_activity or not may_opt_out_of_party_activity(profile)


@dataclass(frozen=True)
class Contact:
    """What the read model knows of a person."""

    account_id: str
    profile: str | None
    given_name: str | None
    surname: str | None
    email: str | None
    status: str | None = "active"

    @property
    def display_name(self) -> str:
        return display_name(self.given_name, self.surname)


def display_name(given_name: str | None, surname: str | None) -> str:
    """« Prénom NOM », as the platform writes people."""
    return " ".join(part for part in ((given_name or "").strip(), (surname or "").strip().upper()) if part)
