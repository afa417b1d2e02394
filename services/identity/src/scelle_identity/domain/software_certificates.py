"""Software certificates: what Scellé's own CA issues (DESIGN §6.8, REFERENCE §1.1).

Parties and non-expert sapiteurs get one for an expertise (billed to it: the event carries the
expertise id); operators get one from another operator. Valid three years. The holder, the
person who had it issued, and operators may renew or revoke it.
"""

from __future__ import annotations

from scelle_identity.domain.errors import InvalidRequest, NotAllowed
from scelle_identity.domain.profiles import (
    OPERATEUR,
    PARTIE,
    SAPITEUR_EXTERNE,
    SOFTWARE_CERTIFICATE_ISSUERS,
)

SOFTWARE_PROFILES = (PARTIE, SAPITEUR_EXTERNE, OPERATEUR)
EXPERTISE_BOUND_PROFILES = (PARTIE, SAPITEUR_EXTERNE)
REVOCATION_REASONS = ("unspecified", "key_compromise", "affiliation_changed", "superseded",
                      "cessation_of_operation")
PASSWORD_MIN_LENGTH = 10


def check_issue(issuer_profile: str, profile: str, expertise_id: str | None) -> None:
    """Whether someone of ``issuer_profile`` may have a ``profile`` certificate issued."""
    if issuer_profile not in SOFTWARE_CERTIFICATE_ISSUERS:
        raise NotAllowed("Seuls un expert (pour son expertise) ou un opérateur délivrent des certificats logiciels.")
    if profile not in SOFTWARE_PROFILES:
        raise InvalidRequest("Profil impossible pour un certificat logiciel.",
                             {"/profile": f"parmi : {', '.join(SOFTWARE_PROFILES)}"})
    if profile == OPERATEUR and issuer_profile != OPERATEUR:
        raise NotAllowed("Seul un opérateur peut faire délivrer un certificat d'opérateur.")
    if profile in EXPERTISE_BOUND_PROFILES and not expertise_id:
        raise InvalidRequest("Un certificat de partie ou de sapiteur est délivré pour une expertise.",
                             {"/expertise_id": "obligatoire"})
    if profile == OPERATEUR and expertise_id:
        raise InvalidRequest("Un certificat d'opérateur n'est lié à aucune expertise.",
                             {"/expertise_id": "interdit pour un opérateur"})


def may_manage(actor_id: str, actor_profile: str, holder_id: str | None, issued_by: str | None) -> bool:
    """Whether the actor may renew or revoke a software certificate."""
    return actor_profile == OPERATEUR or actor_id in (holder_id, issued_by)


def check_password(password: str) -> None:
    """The holder chooses the PKCS#12 password at retrieval; it protects the key on their disk."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidRequest("Mot de passe trop court.",
                             {"/password": f"au moins {PASSWORD_MIN_LENGTH} caractères"})
