"""Use cases on the case itself: create, read, rename, details, consignation, délai, status.

Each function runs inside a unit of work it is given (``context.run`` opens and commits it) and
reads top to bottom: load → check who asks → decide (domain) → save → publish → audit → return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from scelle_expertise.domain import permissions
from scelle_expertise.domain.model import Expertise, PersonDetails, StatusChange
from scelle_expertise.domain.naming import Naming
from scelle_expertise.service_layer.context import Actor, Services, audit_entry
from scelle_expertise.service_layer.unit_of_work import ExpertiseUnitOfWork

UNCHANGED: Any = ...


@dataclass(frozen=True)
class CreateExpertise:
    naming: Naming
    owner: PersonDetails
    portalis_number: str | None = None
    mission: str | None = None


def create_expertise(uow: ExpertiseUnitOfWork, services: Services, actor: Actor, now: datetime,
                     command: CreateExpertise) -> Expertise:
    """An expert opens a case by hand: they are its owner."""
    permissions.require_creator(actor.profile)
    expertise = Expertise.create(
        expertise_id=services.new_id(), naming=command.naming, owner_account_id=actor.id, owner=command.owner,
        owner_participant_id=services.new_id(), at=now, by=actor.account_id,
        portalis_number=command.portalis_number, mission=command.mission)
    uow.expertises.add(expertise)
    uow.publish_changes(expertise)
    uow.record(audit_entry(actor, "expertise.create", f"expertise:{expertise.id}", "ok", now,
                           display_name=expertise.display_name))
    return expertise


def read_expertise(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, expertise_id: str) -> Expertise:
    """A participant reads the case (404 for anyone who may not see it)."""
    expertise = uow.expertises.get(expertise_id)
    permissions.require_viewer(expertise, actor.id, actor.profile)
    assert expertise is not None
    uow.record(audit_entry(actor, "expertise.read", f"expertise:{expertise_id}", "ok", now))
    return expertise


def _owned(uow: ExpertiseUnitOfWork, actor: Actor, expertise_id: str) -> Expertise:
    expertise = uow.expertises.get(expertise_id, for_update=True)
    permissions.require_owner(expertise, actor.id, actor.profile)
    assert expertise is not None
    return expertise


def _save(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, expertise: Expertise, action: str,
          **details: Any) -> Expertise:
    versions = [change.version for change in expertise.changes]
    uow.publish_changes(expertise)
    uow.record(audit_entry(actor, action, f"expertise:{expertise.id}", "ok" if versions else "unchanged", now,
                           versions=versions or None, **details))
    return expertise


def rename(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, expertise_id: str, naming: Naming) -> Expertise:
    expertise = _owned(uow, actor, expertise_id)
    expertise.rename(naming, now, actor.account_id)
    return _save(uow, actor, now, expertise, "expertise.rename", display_name=expertise.display_name)


def update_expertise(uow: ExpertiseUnitOfWork, actor: Actor, now: datetime, expertise_id: str, *,
                     portalis_number: Any = UNCHANGED, mission: Any = UNCHANGED,
                     consignation_date: date | None | Any = UNCHANGED,
                     deadline: date | None | Any = UNCHANGED) -> Expertise:
    """N° Portalis, mission, consignation date, délai: only what is given changes."""
    expertise = _owned(uow, actor, expertise_id)
    expertise.update_details(now, actor.account_id, portalis_number=portalis_number, mission=mission)
    if consignation_date is not UNCHANGED:
        expertise.record_consignation(consignation_date, now, actor.account_id)
    if deadline is not UNCHANGED:
        expertise.change_deadline(deadline, now, actor.account_id)
    return _save(uow, actor, now, expertise, "expertise.update")


def change_status(uow: ExpertiseUnitOfWork, services: Services, actor: Actor, now: datetime, expertise_id: str,
                  target: str, *, confirmed: bool, reason: str | None) -> StatusChange:
    """The owner expert moves the case along its status machine (illegal moves: 409 with the targets)."""
    expertise = _owned(uow, actor, expertise_id)
    entry = expertise.change_status(target, confirmed=confirmed, reason=reason, at=now, by=actor.account_id,
                                    history_id=services.new_id())
    _save(uow, actor, now, expertise, "expertise.change_status", from_status=entry.from_status,
          to_status=entry.to_status, reason=entry.reason)
    return entry
