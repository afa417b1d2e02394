"""The designation use cases: one function each (validate → load → decide → save → record → return).

Every function runs inside the unit of work :func:`~scelle_designation.service_layer.context.run`
opened for it; the events of the change go to the outbox and the audit row to the chain in the
same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scelle_designation.adapters.repository import Page
from scelle_designation.domain import model
from scelle_designation.domain.directory import expert_from_directory
from scelle_designation.domain.errors import Forbidden, NotFound
from scelle_designation.domain.model import Designation, Designator, ExpertChoice
from scelle_designation.domain.naming import Naming
from scelle_designation.service_layer.context import Actor, Services, audit_entry
from scelle_designation.service_layer.unit_of_work import DesignationUnitOfWork


@dataclass(frozen=True)
class DesignatorNames:
    """How the designator's client names them (the principal token carries only the account id)."""

    given_name: str | None = None
    surname: str | None = None
    email: str | None = None


def _justice_only(actor: Actor) -> None:
    if actor.profile not in model.JUSTICE_PROFILES:
        raise Forbidden("Réservé aux magistrats et aux greffiers.")


def _load(uow: DesignationUnitOfWork, actor: Actor, designation_id: str, *, for_update: bool = True) -> Designation:
    designation = uow.designations.get(designation_id, for_update=for_update)
    if designation is None or not designation.visible_to(actor.id):
        raise NotFound("Désignation introuvable.")
    return designation


def create_designation(uow: DesignationUnitOfWork, services: Services, actor: Actor, now: datetime,
                       names: DesignatorNames, expert: ExpertChoice | None) -> Designation:
    """A magistrat or greffier opens a draft; the vault opens its dossier from ``designation.created``."""
    known = uow.directory.get(actor.id)  # the designator's own names, when the client gave none
    designator = Designator(actor.id, actor.profile, names.given_name or (known.given_name if known else None),
                            names.surname or (known.surname if known else None),
                            names.email or (known.email if known else None))
    if expert is not None:
        expert = expert_from_directory(expert, uow.directory.get(expert.account_id))
    designation = Designation.create(services.new_id(), designator, now, expert)
    uow.save(designation)
    uow.record(audit_entry(actor, "designation.create", f"designation:{designation.id}", "ok", now,
                           expert=expert.account_id if expert else None))
    return designation


def read_designation(uow: DesignationUnitOfWork, actor: Actor, now: datetime, designation_id: str) -> Designation:
    designation = _load(uow, actor, designation_id, for_update=False)
    uow.record(audit_entry(actor, "designation.read", f"designation:{designation_id}", "ok", now))
    return designation


def choose_expert(uow: DesignationUnitOfWork, actor: Actor, now: datetime, designation_id: str,
                  expert: ExpertChoice) -> Designation:
    designation = _load(uow, actor, designation_id)
    designation.choose_expert(expert_from_directory(expert, uow.directory.get(expert.account_id)), now, actor.id)
    uow.save(designation)
    uow.record(audit_entry(actor, "designation.choose_expert", f"designation:{designation_id}", "ok", now,
                           expert=expert.account_id))
    return designation


def send(uow: DesignationUnitOfWork, actor: Actor, now: datetime, designation_id: str) -> Designation:
    designation = _load(uow, actor, designation_id)
    designation.send(now, actor.id)
    uow.save(designation)
    uow.record(audit_entry(actor, "designation.send", f"designation:{designation_id}", "ok", now))
    return designation


def remind(uow: DesignationUnitOfWork, actor: Actor, now: datetime, designation_id: str) -> Designation:
    designation = _load(uow, actor, designation_id)
    designation.remind(now, actor.id)
    uow.save(designation)
    uow.record(audit_entry(actor, "designation.remind", f"designation:{designation_id}", "ok", now,
                           reminder_count=designation.reminder_count))
    return designation


def withdraw(uow: DesignationUnitOfWork, actor: Actor, now: datetime, designation_id: str) -> Designation:
    designation = _load(uow, actor, designation_id)
    designation.withdraw(now, actor.id)
    uow.save(designation)
    uow.record(audit_entry(actor, "designation.withdraw", f"designation:{designation_id}", "ok", now))
    return designation


def accept(uow: DesignationUnitOfWork, actor: Actor, now: datetime, designation_id: str,
           naming: Naming | Mapping[str, Any], portalis_number: str | None, mission: str | None) -> Designation:
    designation = _load(uow, actor, designation_id)
    designation.accept(naming, now, actor.id, portalis_number=portalis_number, mission=mission)
    uow.save(designation)
    uow.record(audit_entry(actor, "designation.accept", f"designation:{designation_id}", "ok", now))
    return designation


def refuse(uow: DesignationUnitOfWork, actor: Actor, now: datetime, designation_id: str,
           justification: str) -> Designation:
    designation = _load(uow, actor, designation_id)
    designation.refuse(justification, now, actor.id)
    uow.save(designation)
    uow.record(audit_entry(actor, "designation.refuse", f"designation:{designation_id}", "ok", now))
    return designation


def list_for_justice(uow: DesignationUnitOfWork, actor: Actor, now: datetime, statuses: Sequence[str],
                     cursor: str | None, limit: int) -> Page:
    """The designator's designations (*en attente* unless other states are asked for)."""
    _justice_only(actor)
    page = uow.designations.for_designator(actor.id, statuses, cursor, limit)
    uow.record(audit_entry(actor, "designation.list", f"account:{actor.id}", "ok", now,
                           statuses=list(statuses)))
    return page


def pending_for_expert(uow: DesignationUnitOfWork, actor: Actor, now: datetime, cursor: str | None,
                       limit: int) -> tuple[Page, int]:
    """What the expert has to answer, and how many (the dashboard's *Désignations à confirmer*)."""
    result = uow.designations.pending_for_expert(actor.id, cursor, limit)
    uow.record(audit_entry(actor, "designation.pending", f"account:{actor.id}", "ok", now))
    return result


def statistics(uow: DesignationUnitOfWork, actor: Actor, now: datetime) -> dict[str, Any]:
    _justice_only(actor)
    figures = uow.designations.statistics(actor.id)
    uow.record(audit_entry(actor, "designation.statistics", f"account:{actor.id}", "ok", now))
    return figures
