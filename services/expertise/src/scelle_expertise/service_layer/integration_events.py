"""The only place where the expertise's changes become public events (schemas in contracts/events/).

Every event's subject is the expertise id; ``data`` carries ``expertise_id``,
``expertise_version`` (one per change: consumers drop what is not newer than what they hold),
the case's display name and status, and the state after the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from scelle_common.events import Event, new_event
from scelle_expertise.domain import model

SERVICE = "expertise"

CREATED = "expertise.created.v1"
RENAMED = "expertise.renamed.v1"
DETAILS_UPDATED = "expertise.details_updated.v1"
STATUS_CHANGED = "expertise.status_changed.v1"
CONSIGNATION_RECORDED = "expertise.consignation_recorded.v1"
DEADLINE_CHANGED = "expertise.deadline_changed.v1"
PARTY_ADDED = "expertise.party_added.v1"
PARTY_UPDATED = "expertise.party_updated.v1"
PARTICIPANT_ADDED = "expertise.participant_added.v1"
PARTICIPANT_INVITED = "expertise.participant_invited.v1"
PARTICIPANT_UPDATED = "expertise.participant_updated.v1"
PARTICIPANT_REMOVED = "expertise.participant_removed.v1"

NAMES = {
    model.CREATED: CREATED, model.RENAMED: RENAMED, model.DETAILS_UPDATED: DETAILS_UPDATED,
    model.STATUS_CHANGED: STATUS_CHANGED, model.CONSIGNATION_RECORDED: CONSIGNATION_RECORDED,
    model.DEADLINE_CHANGED: DEADLINE_CHANGED, model.PARTY_ADDED: PARTY_ADDED, model.PARTY_UPDATED: PARTY_UPDATED,
    model.PARTICIPANT_ADDED: PARTICIPANT_ADDED, model.PARTICIPANT_INVITED: PARTICIPANT_INVITED,
    model.PARTICIPANT_UPDATED: PARTICIPANT_UPDATED, model.PARTICIPANT_REMOVED: PARTICIPANT_REMOVED,
}


def _time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def naming_state(expertise: model.Expertise) -> dict[str, Any]:
    return {
        "first_applicant": expertise.first_applicant, "first_defender": expertise.first_defender,
        "jurisdiction": expertise.jurisdiction, "rg_number": expertise.rg_number,
        "record_number": expertise.record_number, "expert_name": expertise.expert_name,
        "mi_number": expertise.mi_number, "designation_date": _date(expertise.designation_date),
    }


def _data(expertise: model.Expertise, change: model.Change) -> dict[str, Any]:
    d = change.details
    at, by = _time(change.at), change.by
    data: dict[str, Any] = {"expertise_id": expertise.id, "expertise_version": change.version, **change.header}
    kind = change.kind
    if kind == model.CREATED:
        data |= {"naming": naming_state(expertise), "portalis_number": expertise.portalis_number,
                 "mission": expertise.mission, "consignation_date": _date(expertise.consignation_date),
                 "deadline": _date(expertise.deadline), "owner_account_id": expertise.owner_account_id,
                 "designation_id": expertise.designation_id,
                 "designated_by_account_id": expertise.designated_by_account_id,
                 "created_by": by, "created_at": at}
    elif kind == model.RENAMED:
        data |= {"naming": naming_state(expertise), "previous_display_name": d["previous_display_name"],
                 "renamed_by": by, "renamed_at": at}
    elif kind == model.DETAILS_UPDATED:
        data |= {"portalis_number": expertise.portalis_number, "mission": expertise.mission,
                 "changed": d["changed"], "updated_by": by, "updated_at": at}
    elif kind == model.STATUS_CHANGED:
        data |= {"from_status": d["from_status"], "to_status": d["to_status"], "reason": d["reason"],
                 "reopened": d["reopened"], "changed_by": by, "changed_at": at}
    elif kind == model.CONSIGNATION_RECORDED:
        data |= {"consignation_date": _date(expertise.consignation_date),
                 "previous_consignation_date": _date(d["previous_consignation_date"]),
                 "recorded_by": by, "recorded_at": at}
    elif kind == model.DEADLINE_CHANGED:
        data |= {"deadline": _date(expertise.deadline), "previous_deadline": _date(d["previous_deadline"]),
                 "changed_by": by, "changed_at": at}
    elif kind == model.PARTY_ADDED:
        data |= {**d["party"], "added_by": by, "added_at": at}
    elif kind == model.PARTY_UPDATED:
        data |= {**d["party"], "changed": d["changed"], "updated_by": by, "updated_at": at}
    elif kind == model.PARTICIPANT_ADDED:
        data |= {**d["participant"], "added_by": by, "added_at": at}
    elif kind == model.PARTICIPANT_INVITED:
        data |= {**d["participant"], "profile": d["profile"], "phone_fixed": d["phone_fixed"],
                 "phone_mobile": d["phone_mobile"], "invited_by": by, "invited_at": at}
    elif kind == model.PARTICIPANT_UPDATED:
        data |= {**d["participant"], "changed": d["changed"], "updated_by": by, "updated_at": at}
    elif kind == model.PARTICIPANT_REMOVED:
        data |= {**d["participant"], "reason": d["reason"], "removed_by": by, "removed_at": at}
    else:  # pragma: no cover - a new change kind must be mapped here
        raise ValueError(f"no public event for change {kind!r}")
    return data


def events_for(expertise: model.Expertise, changes: Iterable[model.Change],
               causation: Event | None = None) -> list[Event]:
    """The public events of ``changes``; an invitation remembers its event id (identity answers it)."""
    events = []
    for change in changes:
        event = new_event(service=SERVICE, name=NAMES[change.kind], subject=expertise.id,
                          data=_data(expertise, change), time=change.at, causation=causation)
        if change.kind == model.PARTICIPANT_INVITED:
            participant = expertise.participant(change.details["participant"]["participant_id"])
            participant.invitation_event_id = event.id
        events.append(event)
    return events
