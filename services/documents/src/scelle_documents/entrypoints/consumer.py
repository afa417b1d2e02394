"""Events the documents service consumes, by queue purpose (``documents.<purpose>``).

* ``expertises``: ``expertise.*`` keep the read model of cases, parties and participants on which
  every access decision is taken locally, and the folder tree (party and sapiteur folders appear
  with them).
* ``designations``: ``designation.*`` open the dossier (``designation/<id>/demande|reponse``) and
  keep its status and members; ``expertise.created.v1`` with a ``designation_id`` files the
  request files into the new case's ``expert/designation``.
* ``accounts``: ``identity.accounts_merged.v1`` moves memberships, deposits and reads.

Each handler adopts the consumer's unit of work, which holds the inbox row: a redelivered event
is acknowledged with no effect.
"""

from __future__ import annotations

from functools import cache

from scelle_common.audit import AuditTrail
from scelle_common.db import UnitOfWork
from scelle_common.events import Event, SchemaRegistry
from scelle_common.messaging import EventHandlers, Outbox
from scelle_documents.bootstrap import SERVICE_ROOT
from scelle_documents.service_layer import inbound
from scelle_documents.service_layer.handlers import new_id, utc_now
from scelle_documents.service_layer.unit_of_work import VaultUnitOfWork

expertises = EventHandlers()
designations = EventHandlers()
accounts = EventHandlers()


@cache
def _outbox() -> Outbox:
    return Outbox(SchemaRegistry([SERVICE_ROOT / "contracts" / "events"]))


def _vault(uow: UnitOfWork) -> VaultUnitOfWork:
    return VaultUnitOfWork.adopt(uow, _outbox(), AuditTrail())


def _case_handler(name: str) -> None:
    @expertises.on(name)
    def handle(uow: UnitOfWork, event: Event) -> None:
        inbound.expertise_changed(_vault(uow), event, utc_now(), new_id)


for _name in ("expertise.created.v1", "expertise.renamed.v1", "expertise.status_changed.v1",
              "expertise.details_updated.v1", "expertise.party_updated.v1"):
    _case_handler(_name)


def _designation_handler(name: str) -> None:
    @designations.on(name)
    def handle(uow: UnitOfWork, event: Event) -> None:
        inbound.designation_changed(_vault(uow), event, utc_now(), new_id)


for _name in ("designation.drafted.v1", "designation.created.v1", "designation.reminded.v1",
              "designation.accepted.v1", "designation.refused.v1", "designation.withdrawn.v1"):
    _designation_handler(_name)


@expertises.on("expertise.party_added.v1")
def party_added(uow: UnitOfWork, event: Event) -> None:
    inbound.party_added(_vault(uow), event, utc_now(), new_id)


@expertises.on("expertise.participant_added.v1")
def participant_added(uow: UnitOfWork, event: Event) -> None:
    inbound.participant_changed(_vault(uow), event, utc_now(), new_id)


@expertises.on("expertise.participant_updated.v1")
def participant_updated(uow: UnitOfWork, event: Event) -> None:
    inbound.participant_changed(_vault(uow), event, utc_now(), new_id)


@expertises.on("expertise.participant_removed.v1")
def participant_removed(uow: UnitOfWork, event: Event) -> None:
    inbound.participant_changed(_vault(uow), event, utc_now(), new_id, removed=True)


@accounts.on("identity.accounts_merged.v1")
def accounts_merged(uow: UnitOfWork, event: Event) -> None:
    inbound.accounts_merged(_vault(uow), event)


CONSUMERS: dict[str, EventHandlers] = {"expertises": expertises, "designations": designations, "accounts": accounts}
