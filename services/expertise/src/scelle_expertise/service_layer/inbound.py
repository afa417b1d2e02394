"""What the expertise service does with other services' events (tolerant readers).

Each handler runs inside the consumer's unit of work, after the inbox claimed the event: its
effects, outbox events and audit row commit with the inbox row or not at all. Unknown fields are
ignored; several spellings of a field are accepted where the producer is not built yet.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from scelle_common.events import Event
from scelle_common.logging import get_logger
from scelle_common.messaging import PermanentError
from scelle_expertise.domain import roles
from scelle_expertise.domain.errors import ExpertiseError
from scelle_expertise.domain.model import Expertise, PersonDetails
from scelle_expertise.domain.naming import Naming, parse_designation_date
from scelle_expertise.service_layer.context import audit_entry, system_actor
from scelle_expertise.service_layer.unit_of_work import ExpertiseUnitOfWork

log = get_logger(__name__)

Clock = Callable[[], datetime]
NewId = Callable[[], str]

# Naming field → accepted spellings (ours first, then the reference client's, then French).
NAMING_ALIASES: dict[str, tuple[str, ...]] = {
    "first_applicant": ("first_applicant", "nameFirstApplicant", "premier_demandeur"),
    "first_defender": ("first_defender", "nameFirstDefender", "premier_defendeur"),
    "jurisdiction": ("jurisdiction", "nameJurisdiction", "juridiction"),
    "rg_number": ("rg_number", "registry_number", "nameRegistryNumber", "numero_rg"),
    "record_number": ("record_number", "nameRecordNumber", "numero_dossier"),
    "expert_name": ("expert_name", "nameExpert", "expert"),
    "mi_number": ("mi_number", "discovery_code", "nameDiscoveryCode", "numero_mi"),
    "designation_date": ("designation_date", "nameDesignationDate", "date_designation"),
}


def _first(data: Mapping[str, Any], *paths: str) -> Any:
    """The first non-empty value among dotted ``paths`` (``designator.account_id``)."""
    for path in paths:
        node: Any = data
        for part in path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if node not in (None, ""):
            return node
    return None


def _time(value: Any, default: datetime) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return default
    return default


def _person(data: Mapping[str, Any], prefix: str) -> PersonDetails:
    return PersonDetails(
        email=_first(data, f"{prefix}.email", f"{prefix}_email"),
        given_name=_first(data, f"{prefix}.given_name", f"{prefix}_given_name"),
        surname=_first(data, f"{prefix}.surname", f"{prefix}_surname"),
    )


def naming_from(data: Mapping[str, Any]) -> Naming:
    """The eight naming fields, from ``data["naming"]`` or ``data`` itself, in any accepted spelling."""
    source = data.get("naming") if isinstance(data.get("naming"), Mapping) else data
    values = {field: _first(source, *aliases) for field, aliases in NAMING_ALIASES.items()}
    raw_date = values.pop("designation_date")
    if raw_date is None:
        raise PermanentError("designation.accepted without designation_date")
    try:
        return Naming(designation_date=parse_designation_date(str(raw_date)),
                      **{key: (str(value) if value is not None else None) for key, value in values.items()})
    except ExpertiseError as exc:
        raise PermanentError(f"designation.accepted with invalid naming: {exc.detail}") from None


def designation_accepted(uow: ExpertiseUnitOfWork, event: Event, clock: Clock, new_id: NewId) -> None:
    """The expert accepted a designation: the case exists in ``en_creation``, the designator is attached
    (a magistrat *en charge*, or a greffier)."""
    data = event.data
    designation_id = _first(data, "designation_id", "designation.id") or event.subject
    expert_account_id = _first(data, "expert_account_id", "designated_expert_account_id", "expert.account_id")
    designator_account_id = _first(data, "designator_account_id", "designator.account_id")
    designator_profile = _first(data, "designator_profile", "designator.profile", "designator.role")
    if not designation_id or not expert_account_id:
        raise PermanentError("designation.accepted without designation id or expert account id")
    version = _first(data, "designation_version")
    if isinstance(version, int) and not uow.versions.advance("designation", str(designation_id), version):
        log.info("designation.stale_dropped", designation_id=designation_id, version=version)
        return
    if uow.expertises.by_designation(str(designation_id)) is not None:
        log.info("designation.already_applied", designation_id=designation_id)
        return
    naming = naming_from(data)
    now = clock()
    accepted_at = _time(_first(data, "accepted_at"), event.time)
    expertise = Expertise.create(
        expertise_id=new_id(), naming=naming, owner_account_id=str(expert_account_id), owner=_person(data, "expert"),
        owner_participant_id=new_id(), at=accepted_at, by=str(expert_account_id),
        designation_id=str(designation_id),
        designated_by_account_id=str(designator_account_id) if designator_account_id else None,
        portalis_number=_first(data, "portalis_number", "naming.portalis_number"),
        mission=_first(data, "mission"))
    if designator_account_id and str(designator_account_id) != str(expert_account_id):
        role = roles.GREFFIER if designator_profile in ("greffier", "CLERK") else roles.MAGISTRAT
        expertise.add_participant(participant_id=new_id(), role=role, account_id=str(designator_account_id),
                                  person=_person(data, "designator"), party_ids=[],
                                  en_charge=role == roles.MAGISTRAT, at=accepted_at, by=str(expert_account_id))
    uow.expertises.add(expertise)
    uow.publish_changes(expertise, causation=event)
    uow.record(audit_entry(system_actor("designation"), "expertise.create_from_designation",
                           f"expertise:{expertise.id}", "ok", now, designation_id=str(designation_id),
                           event_id=event.id))


def accounts_merged(uow: ExpertiseUnitOfWork, event: Event, clock: Clock) -> None:
    """A duplicate account was merged: its memberships and unread marks move to the kept account."""
    data = event.data
    source = _first(data, "source_account_id", "merged_account_id")
    target = _first(data, "target_account_id", "account_id")
    if not source or not target or source == target:
        raise PermanentError("identity.accounts_merged without distinct source and target accounts")
    now = clock()
    moved = []
    for expertise_id in uow.expertises.ids_involving(str(source)):
        expertise = uow.expertises.get(expertise_id, for_update=True)
        if expertise is None:
            continue
        if expertise.replace_account(str(source), str(target), now, None):
            moved.append(expertise_id)
            uow.publish_changes(expertise, causation=event)
    uow.documents.move_account(str(source), str(target))
    uow.record(audit_entry(system_actor("identity"), "account.merge", f"account:{target}", "ok", now,
                           source_account_id=str(source), expertises=moved or None, event_id=event.id))


def software_certificate_issued(uow: ExpertiseUnitOfWork, event: Event, clock: Clock) -> None:
    """Identity issued the certificate of an invited member: the participant now has its account."""
    data = event.data
    account_id = _first(data, "account_id")
    if not account_id:
        return
    participant_id = _first(data, "participant_id")
    if participant_id:
        expertise_id = uow.expertises.participant_location(str(participant_id))
    else:
        located = uow.expertises.participant_invited_by(event.causation_id) if event.causation_id else None
        expertise_id, participant_id = located if located else (None, None)
    if not expertise_id or not participant_id:
        return  # a certificate that answers no invitation of ours (an operator's, a renewal...)
    expertise = uow.expertises.get(expertise_id, for_update=True)
    if expertise is None:
        return
    now = clock()
    try:
        changed = expertise.bind_account(str(participant_id), str(account_id), now, None)
    except ExpertiseError as exc:
        log.warning("invitation.not_bound", participant_id=participant_id, reason=exc.detail)
        return
    if changed:
        uow.publish_changes(expertise, causation=event)
        uow.record(audit_entry(system_actor("identity"), "participant.bind_account",
                               f"participant:{participant_id}", "ok", now, account=str(account_id),
                               event_id=event.id))


def document_deposited(uow: ExpertiseUnitOfWork, event: Event) -> None:
    """A document is new for everyone in its audience but its depositor."""
    data = event.data
    expertise_id, document_id = _first(data, "expertise_id"), _first(data, "document_id")
    if not expertise_id and _first(data, "designation_id"):
        return  # a designation dossier's file: no case yet, nothing to count
    if not expertise_id or not document_id:
        raise PermanentError("documents.document_deposited without expertise_id or document_id")
    audience = data.get("audience") or []
    if not isinstance(audience, list):
        raise PermanentError("documents.document_deposited: audience must be a list of account ids")
    depositor = _first(data, "depositor_account_id", "deposited_by", "depositor.account_id")
    accounts = [str(account) for account in audience if account and str(account) != str(depositor or "")]
    # The vault publishes the folder as an object (id, path, label); its path is what we keep.
    uow.documents.deposited(str(expertise_id), str(document_id), _first(data, "folder.path", "folder"),
                            _time(_first(data, "deposited_at"), event.time), accounts)


def document_read(uow: ExpertiseUnitOfWork, event: Event) -> None:
    """The account downloaded the document for the first time: it is no longer new for them."""
    data = event.data
    expertise_id, document_id = _first(data, "expertise_id"), _first(data, "document_id")
    account_id = _first(data, "account_id", "reader_account_id")
    if not expertise_id and _first(data, "designation_id"):
        return  # a designation dossier's file
    if not expertise_id or not document_id or not account_id:
        raise PermanentError("documents.document_read without expertise_id, document_id or account_id")
    uow.documents.read(str(expertise_id), str(document_id), str(account_id),
                       _time(_first(data, "read_at"), event.time))
