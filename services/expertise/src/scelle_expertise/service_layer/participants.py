"""Use cases on parties and participants: the owner expert administers them (DESIGN §6.2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from scelle_expertise.domain import permissions
from scelle_expertise.domain.model import Expertise, Participant, Party, PersonDetails
from scelle_expertise.service_layer.context import Actor, Services, audit_entry
from scelle_expertise.service_layer.unit_of_work import ExpertiseUnitOfWork


def _owned(uow: ExpertiseUnitOfWork, actor: Actor, expertise_id: str) -> Expertise:
    expertise = uow.expertises.get(expertise_id, for_update=True)
    permissions.require_owner(expertise, actor.id, actor.profile)
    assert expertise is not None
    return expertise


def _finish(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, expertise: Expertise, action: str,
            target: str, **details: object) -> None:
    versions = [change.version for change in expertise.changes]
    uow.publish_changes(expertise)
    uow.record(audit_entry(actor, action, target, "ok" if versions else "unchanged", now,
                           expertise_id=expertise.id, versions=versions or None, **details))


def add_party(uow: ExpertiseUnitOfWork, services: Services, actor: Actor, now: datetime, expertise_id: str, *,
              name: str, kind: str, representation: str) -> Party:
    expertise = _owned(uow, actor, expertise_id)
    party = expertise.add_party(party_id=services.new_id(), name=name, kind=kind, representation=representation,
                                at=now, by=actor.account_id)
    _finish(uow, actor, now, expertise, "party.add", f"party:{party.id}")
    return party


def update_party(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, expertise_id: str, party_id: str, *,
                 name: str | None, kind: str | None, representation: str | None) -> Party:
    expertise = _owned(uow, actor, expertise_id)
    expertise.update_party(party_id, now, actor.account_id, name=name, kind=kind, representation=representation)
    _finish(uow, actor, now, expertise, "party.update", f"party:{party_id}")
    return expertise.party(party_id)


def add_participant(uow: ExpertiseUnitOfWork, services: Services, actor: Actor, now: datetime, expertise_id: str,
                    *, role: str, account_id: str, person: PersonDetails, party_ids: Sequence[str],
                    en_charge: bool) -> Participant:
    """Someone with an account (from a directory) joins the case."""
    expertise = _owned(uow, actor, expertise_id)
    participant = expertise.add_participant(participant_id=services.new_id(), role=role, account_id=account_id,
                                            person=person, party_ids=party_ids, en_charge=en_charge, at=now,
                                            by=actor.account_id)
    _finish(uow, actor, now, expertise, "participant.add", f"participant:{participant.id}", role=participant.role,
            account=account_id)
    return participant


def invite_participant(uow: ExpertiseUnitOfWork, services: Services, actor: Actor, now: datetime,
                       expertise_id: str, *, role: str, person: PersonDetails,
                       party_ids: Sequence[str]) -> Participant:
    """A party member or a non-expert sapiteur is invited by e-mail; identity issues their certificate."""
    expertise = _owned(uow, actor, expertise_id)
    participant = expertise.invite_participant(participant_id=services.new_id(), role=role, person=person,
                                               party_ids=party_ids, at=now, by=actor.account_id)
    _finish(uow, actor, now, expertise, "participant.invite", f"participant:{participant.id}",
            role=participant.role)
    return participant


def update_participant(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, expertise_id: str,
                       participant_id: str, *, active: bool | None, en_charge: bool | None,
                       party_ids: Sequence[str] | None) -> Participant:
    expertise = _owned(uow, actor, expertise_id)
    expertise.update_participant(participant_id, now, actor.account_id, active=active, en_charge=en_charge,
                                 party_ids=party_ids)
    _finish(uow, actor, now, expertise, "participant.update", f"participant:{participant_id}",
            active=active, en_charge=en_charge)
    return expertise.participant(participant_id)


def remove_participant(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, expertise_id: str,
                       participant_id: str, reason: str | None) -> None:
    expertise = _owned(uow, actor, expertise_id)
    expertise.remove_participant(participant_id, reason, now, actor.account_id)
    _finish(uow, actor, now, expertise, "participant.remove", f"participant:{participant_id}")
