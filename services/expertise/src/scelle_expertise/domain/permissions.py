"""Who may see and who may administer an expertise.

* Only active participants see a case; anyone else — a stranger, an inactive or removed
  participant — is told it does not exist (404, no existence leak).
* Only the owner expert administers it (403 for the other participants).
* Only accounts of the ``expert`` profile create expertises by hand.
* A service principal (another Scellé service rebuilding a read model) may read any case.
"""

from __future__ import annotations

from scelle_expertise.domain import roles
from scelle_expertise.domain.errors import Forbidden, NotFound
from scelle_expertise.domain.model import Expertise, Participant

EXPERT_PROFILE = "expert"
SERVICE_PROFILE = "service"


def require_viewer(expertise: Expertise | None, account_id: str, profile: str) -> Participant | None:
    """The caller's participation; raise NotFound unless they may see the case."""
    if expertise is None:
        raise NotFound("Expertise introuvable.")
    if profile == SERVICE_PROFILE:
        return None
    participation = expertise.participation_of(account_id)
    if participation is None or not participation.has_access:
        raise NotFound("Expertise introuvable.")
    return participation


def require_owner(expertise: Expertise | None, account_id: str, profile: str) -> Participant:
    """The owner expert's participation; NotFound for outsiders, Forbidden for other participants."""
    participation = require_viewer(expertise, account_id, profile)
    if participation is None or participation.role != roles.EXPERT or expertise is None \
            or expertise.owner_account_id != account_id:
        raise Forbidden("Seul l'expert propriétaire administre l'expertise.")
    return participation


def require_creator(profile: str) -> None:
    if profile != EXPERT_PROFILE:
        raise Forbidden("Seul un expert crée une expertise.")
