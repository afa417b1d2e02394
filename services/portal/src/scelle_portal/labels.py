"""French labels of the codes the APIs return (DESIGN.md §6)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

# What a French court user reads: the APIs' UTC instants shown in metropolitan French time.
PARIS = ZoneInfo("Europe/Paris")

# DESIGN §6.3, in the order of the workspace filters (REFERENCE §2.3).
STATUSES = {
    "en_creation": "En création",
    "en_cours": "En cours",
    "en_pause": "En pause",
    "terminee": "Terminée",
}
DEFAULT_STATUSES = ("en_creation", "en_cours", "en_pause")

PROFILES = {
    "expert": "Expert",
    "avocat": "Avocat",
    "magistrat": "Magistrat",
    "greffier": "Greffier",
    "partie": "Partie",
    "sapiteur_externe": "Sapiteur",
    "operateur": "Opérateur",
}

ROLES = {
    "expert": "Expert",
    "co_expert": "Co-expert",
    "sapiteur": "Sapiteur",
    "magistrat": "Magistrat",
    "greffier": "Greffier",
    "avocat": "Avocat",
    "partie_publiante": "Partie autorisée à publier",
    "partie_lectrice": "Partie non autorisée à publier",
    "expert_de_partie": "Expert agissant pour une partie",
}

# DESIGN §6.2: a party's quality in the case and how it takes part.
PARTY_KINDS = {
    "demandeur": "Demandeur",
    "defendeur": "Défendeur",
    "intervenant": "Intervenant",
}
REPRESENTATIONS = {
    "avocat": "Représentée par un avocat",
    "elle_meme": "Se représente elle-même",
    "expert_de_partie": "Représentée par un expert de partie",
    "non_dematerialisee": "Non dématérialisée",
}

DESIGNATION_STATES = {
    "brouillon": "Brouillon",
    "en_attente": "En attente",
    "acceptee": "Acceptée",
    "refusee": "Rejetée",
    "retiree": "Retirée",
}

CERTIFICATE_STATUSES = {
    "valid": "Valide",
    "expired": "Expiré",
    "revoked": "Révoqué",
    "not_yet_valid": "Pas encore valide",
}

CERTIFICATE_FAMILIES = {
    "justice": "Ministère de la Justice",
    "avocat": "Avocat (CNB / Barreau de Paris)",
    "expert": "Carte d'expert",
    "scelle": "Certificat logiciel Scellé",
}

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")


def french_date(value: str | date | datetime | None, *, with_time: bool = False) -> str:
    """« 3 mars 2026 » (« 3 mars 2026 à 14 h 05 »); empty for None; the text itself if unparsable."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            parsed: date | datetime = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if len(value) == 10:
            parsed = parsed.date() if isinstance(parsed, datetime) else parsed
    else:
        parsed = value
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        parsed = parsed.astimezone(PARIS)
    text = f"{parsed.day} {MONTHS[parsed.month - 1]} {parsed.year}"
    if with_time and isinstance(parsed, datetime):
        text += f" à {parsed.hour} h {parsed.minute:02d}"
    return text


def file_size(size: int | None) -> str:
    """« 12 octets », « 3,4 Ko », « 1,2 Mo »."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} octets"
    value = float(size)
    for unit in ("Ko", "Mo", "Go"):
        value /= 1024
        if value < 1024:
            break
    return f"{value:.1f} {unit}".replace(".", ",")


def certificate_holder(subject: str | None) -> str:
    """The CN of an RFC 4514 subject (« Camille Rousseau »), else the subject itself."""
    if not subject:
        return ""
    for part in subject.split(","):
        key, _, value = part.partition("=")
        if key.strip().upper() == "CN" and value.strip():
            return value.strip()
    return subject
