"""The only place where a designation's changes become public events (schemas in contracts/events/).

Every event's subject is the designation id; ``data`` carries ``designation_id``,
``designation_version`` and the state after the change: designator, expert, dossier folders,
reminder count. ``designation.accepted.v1`` carries what the expertise service needs to create the
case (expert, designator with profile, the eight naming fields, Portalis, mission, ``accepted_at``)
and what the vault needs to file the request documents into ``expert/designation`` (document ids
and SHA-256 of ``designation/<id>/demande``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from scelle_common.events import Event, new_event
from scelle_designation.adapters.repository import designator_data, expert_data
from scelle_designation.domain import model

SERVICE = "designation"

DRAFTED = "designation.drafted.v1"
# DESIGN §4's ``designation.created``: the designation exists for the expert once it is sent (the
# notification service e-mails the expert on it); a draft is announced as ``drafted`` so the vault
# can open the dossier the designator fills before sending.
CREATED = "designation.created.v1"
REMINDED = "designation.reminded.v1"
WITHDRAWN = "designation.withdrawn.v1"
ACCEPTED = "designation.accepted.v1"
REFUSED = "designation.refused.v1"

NAMES = {model.DRAFTED: DRAFTED, model.SENT: CREATED, model.REMINDED: REMINDED, model.WITHDRAWN: WITHDRAWN,
         model.ACCEPTED: ACCEPTED, model.REFUSED: REFUSED}


def time(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def file_data(file: model.DossierFile) -> dict[str, Any]:
    return {"document_id": file.document_id, "file_name": file.file_name, "size": file.size,
            "sha256": file.sha256, "media_type": file.media_type, "deposited_at": time(file.deposited_at)}


def _state(designation: model.Designation, version: int) -> dict[str, Any]:
    return {
        "designation_id": designation.id, "designation_version": version, "status": designation.status,
        "designator_account_id": designation.designator.account_id,
        "designator_profile": designation.designator.profile,
        "designator": designator_data(designation.designator),
        "expert_account_id": designation.expert.account_id if designation.expert else None,
        "expert": expert_data(designation.expert),
        "dossier": {"request_folder": model.dossier_folder(designation.id, model.REQUEST),
                    "response_folder": model.dossier_folder(designation.id, model.RESPONSE)},
        "created_at": time(designation.created_at), "sent_at": time(designation.sent_at),
        "reminder_count": designation.reminder_count, "last_reminded_at": time(designation.last_reminded_at),
        "document_count": len(designation.present_files(model.REQUEST)),
    }


def _details(designation: model.Designation, change: model.Change) -> dict[str, Any]:
    request = [file_data(f) for f in designation.present_files(model.REQUEST)]
    response = [file_data(f) for f in designation.present_files(model.RESPONSE)]
    if change.kind == model.SENT:
        return {"request_documents": request}
    if change.kind == model.REMINDED:
        return {"reminded_at": time(change.at), "reminded_by": change.by}
    if change.kind == model.WITHDRAWN:
        return {"withdrawn_at": time(change.at), "withdrawn_by": change.by}
    if change.kind == model.ACCEPTED:
        assert designation.naming is not None
        return {"accepted_at": time(change.at), "naming": designation.naming.as_data(),
                "portalis_number": designation.portalis_number, "mission": designation.mission,
                "request_documents": request, "response_documents": response}
    if change.kind == model.REFUSED:
        return {"refused_at": time(change.at), "justification": designation.justification,
                "request_documents": request, "response_documents": response}
    return {}


def events_for(designation: model.Designation, changes: Iterable[model.Change],
               causation: Event | None = None) -> list[Event]:
    """One event per recorded change. A change's data is the state now: changes of one use case are
    published together, so the state after the last one is the state after each (versions still order them)."""
    return [new_event(service=SERVICE, name=NAMES[change.kind], subject=designation.id, time=change.at,
                      causation=causation,
                      data=_state(designation, change.version) | _details(designation, change))
            for change in changes]
