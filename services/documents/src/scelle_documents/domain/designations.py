"""Designation dossiers (shared/domain/README.md): who may do what in ``designation/<id>/demande``
and ``designation/<id>/reponse``, outside the rights matrix.

* ``demande``: the designating magistrat or greffier deposits and reads while the designation is
  pending (``brouillon``, ``en_attente``); the designated expert reads once it was sent.
* ``reponse``: the expert deposits while answering (``en_attente``); the designator reads.
* Both become read-only once the designation is answered (``acceptee``, ``refusee``) or withdrawn
  (``retiree``). Anyone else is not a member (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from scelle_documents.domain.rights import Access, Decision

REQUEST_KIND = "designation/*/demande"
RESPONSE_KIND = "designation/*/reponse"
DOSSIER_FOLDERS = {REQUEST_KIND: "Désignation / Demande", RESPONSE_KIND: "Désignation / Réponse"}
PENDING = ("brouillon", "en_attente")
STATUS_LABELS = {"brouillon": "Brouillon", "en_attente": "En attente de réponse", "acceptee": "Acceptée",
                 "refusee": "Refusée", "retiree": "Retirée"}


@dataclass(frozen=True)
class Designation:
    id: str
    status: str
    designator_account_id: str
    expert_account_id: str

    def is_member(self, account_id: str) -> bool:
        return account_id in (self.designator_account_id, self.expert_account_id)


def decide(designation: Designation, account_id: str, kind: str) -> Decision:
    """The caller's access to a dossier folder, with the reason when there is none."""
    designator = account_id == designation.designator_account_id
    expert = account_id == designation.expert_account_id
    status = designation.status
    access = Access.NONE
    if kind == REQUEST_KIND:
        if designator:
            access = Access.DEPOSIT if status in PENDING else Access.READ
        elif expert and status != "brouillon":
            access = Access.READ
    elif kind == RESPONSE_KIND:
        if expert and status != "brouillon":
            access = Access.DEPOSIT if status == "en_attente" else Access.READ
        elif designator and status != "brouillon":
            access = Access.READ
    role = "designateur" if designator else "expert_designe" if expert else None
    if access is Access.NONE:
        return Decision(Access.NONE, role, denial=(
            "status", f"Ce dossier n'est pas ouvert au rôle {role} quand la désignation est "
                      f"« {STATUS_LABELS.get(status, status)} »."))
    return Decision(access, role)


def deposit_refusal(designation: Designation, account_id: str, kind: str) -> tuple[str, str]:
    """Why a member who may read this dossier folder may not deposit in it."""
    for status in ("brouillon", "en_attente"):
        probe = Designation(designation.id, status, designation.designator_account_id, designation.expert_account_id)
        if decide(probe, account_id, kind).access is Access.DEPOSIT:
            return "status", (f"La désignation est « {STATUS_LABELS.get(designation.status, designation.status)} » : "
                              "son dossier n'accepte plus de dépôt.")
    return "role", "Vous pouvez consulter ce dossier de désignation mais pas y déposer."
