"""Domain objects → JSON-ready dicts (the shapes documented by schemas.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from scelle_expertise.domain import roles, status
from scelle_expertise.domain.model import Expertise, Participant, Party, StatusChange

AWAITING_CONSIGNATION = "En attente de consignation"


def consignation_label(consignation_date: date | None) -> str:
    return consignation_date.strftime("%d/%m/%Y") if consignation_date else AWAITING_CONSIGNATION


def party_view(party: Party) -> dict[str, Any]:
    return {"id": party.id, "name": party.name, "kind": party.kind, "representation": party.representation,
            "added_at": party.added_at}


def participant_view(participant: Participant) -> dict[str, Any]:
    return {"id": participant.id, "account_id": participant.account_id, "role": participant.role,
            "role_label": roles.ROLE_LABELS[participant.role], "display_name": participant.display_name,
            "given_name": participant.given_name, "surname": participant.surname, "email": participant.email,
            "party_ids": list(participant.party_ids), "active": participant.active,
            "en_charge": participant.en_charge, "invitation_pending": participant.invitation_pending,
            "added_at": participant.added_at}


def status_change_view(entry: StatusChange) -> dict[str, Any]:
    return {"id": entry.id, "from_status": entry.from_status, "to_status": entry.to_status,
            "to_status_label": status.LABELS[entry.to_status], "reason": entry.reason,
            "changed_by": entry.changed_by, "changed_at": entry.changed_at, "reopened": entry.reopened,
            "expertise_version": entry.expertise_version}


def expertise_view(expertise: Expertise, account_id: str) -> dict[str, Any]:
    """The case as the caller may see it: the owner expert also sees inactive participants."""
    mine = expertise.participation_of(account_id)
    is_owner = mine is not None and mine.role == roles.EXPERT and expertise.owner_account_id == account_id
    participants = [p for p in expertise.live_participants() if is_owner or p.active]
    magistrat = expertise.magistrat_en_charge()
    return {
        "id": expertise.id, "version": expertise.version, "display_name": expertise.display_name,
        "naming": expertise.naming.as_dict(), "status": expertise.status,
        "status_label": status.LABELS[expertise.status],
        "allowed_transitions": list(status.allowed_targets(expertise.status)) if is_owner else [],
        "consignation_date": expertise.consignation_date,
        "consignation_label": consignation_label(expertise.consignation_date),
        "deadline": expertise.deadline, "portalis_number": expertise.portalis_number, "mission": expertise.mission,
        "owner_account_id": expertise.owner_account_id, "designation_id": expertise.designation_id,
        "my_role": mine.role if mine else None, "is_owner": is_owner,
        "magistrat_en_charge": magistrat.display_name if magistrat else None,
        "created_at": expertise.created_at, "updated_at": expertise.updated_at,
        "en_cours_at": expertise.en_cours_at, "terminee_at": expertise.terminee_at,
        "parties": [party_view(party) for party in expertise.parties],
        "participants": [participant_view(p) for p in participants],
        "history": [status_change_view(entry) for entry in expertise.history],
    }
