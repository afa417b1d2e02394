"""The status machine of an expertise (DESIGN §6.3, REFERENCE §2.3–2.4).

``en_creation → en_cours ⇄ en_pause → terminee``, ``en_cours → terminee``, and the optional
reopening ``terminee → en_cours`` (with a reason). Every change is made by the owner expert,
confirmed explicitly by the client, and recorded with who, when and why.
"""

from __future__ import annotations

from scelle_expertise.domain.errors import ConfirmationRequired, IllegalTransition, InvalidRequest

EN_CREATION = "en_creation"
EN_COURS = "en_cours"
EN_PAUSE = "en_pause"
TERMINEE = "terminee"

STATUSES: tuple[str, ...] = (EN_CREATION, EN_COURS, EN_PAUSE, TERMINEE)
LABELS = {EN_CREATION: "En création", EN_COURS: "En cours", EN_PAUSE: "En pause", TERMINEE: "Terminée"}
# What lists show by default: everything but finished cases.
DEFAULT_LISTED: tuple[str, ...] = (EN_CREATION, EN_COURS, EN_PAUSE)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    EN_CREATION: (EN_COURS,),
    EN_COURS: (EN_PAUSE, TERMINEE),
    EN_PAUSE: (EN_COURS, TERMINEE),
    TERMINEE: (EN_COURS,),
}
REASON_MAX = 2000


def allowed_targets(current: str) -> tuple[str, ...]:
    """The statuses the case may move to from ``current``."""
    return TRANSITIONS.get(current, ())


def is_reopening(current: str, target: str) -> bool:
    return current == TERMINEE and target == EN_COURS


def check_transition(current: str, target: str, *, confirmed: bool, reason: str | None) -> str | None:
    """Refuse an illegal, unconfirmed or unexplained change; return the cleaned reason."""
    if target not in allowed_targets(current):
        raise IllegalTransition(current, target, allowed_targets(current))
    if not confirmed:
        raise ConfirmationRequired(
            f"Le passage à « {LABELS[target]} » doit être confirmé (confirmed: true)."
        )
    cleaned = (reason or "").strip() or None
    if cleaned is not None and len(cleaned) > REASON_MAX:
        raise InvalidRequest("Motif trop long.", {"/reason": f"{REASON_MAX} caractères au plus"})
    if is_reopening(current, target) and cleaned is None:
        raise InvalidRequest("Rouvrir une expertise terminée demande un motif.", {"/reason": "obligatoire"})
    return cleaned
