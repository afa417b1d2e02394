"""What the API shows of a designation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scelle_designation.adapters.repository import designator_data, expert_data
from scelle_designation.domain import model
from scelle_designation.service_layer.integration_events import file_data, time


def designation_view(designation: model.Designation, now: datetime) -> dict[str, Any]:
    last = designation.last_reminded_at
    possible = designation.reminder_possible_at()
    parts = {part: [file_data(f) for f in designation.present_files(part)] for part in (model.REQUEST, model.RESPONSE)}
    return {
        "id": designation.id, "version": designation.version, "status": designation.status,
        "status_label": model.LABELS[designation.status],
        "designator": designator_data(designation.designator), "expert": expert_data(designation.expert),
        "created_at": time(designation.created_at), "sent_at": time(designation.sent_at),
        "reminder_count": designation.reminder_count, "last_reminded_at": time(last),
        "hours_since_last_reminder": round((now - last).total_seconds() / 3600, 2) if last else None,
        "can_remind": designation.can_remind(now),
        "reminder_possible_at": time(possible) if designation.status == model.EN_ATTENTE else None,
        "can_withdraw": designation.can_withdraw(now),
        "withdrawal_possible_at": time(possible) if designation.status == model.EN_ATTENTE else None,
        "withdrawn_at": time(designation.withdrawn_at), "answered_at": time(designation.answered_at),
        "dossier": {"request_folder": model.dossier_folder(designation.id, model.REQUEST),
                    "response_folder": model.dossier_folder(designation.id, model.RESPONSE)},
        "documents": parts, "document_count": len(parts[model.REQUEST]),
        "naming": designation.naming.as_data() if designation.naming else None,
        "portalis_number": designation.portalis_number, "mission": designation.mission,
        "justification": designation.justification,
    }
