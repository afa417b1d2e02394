"""API use cases: the operator's delivery log and each person's notification preferences."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scelle_common.audit import AuditEntry
from scelle_notification.domain.errors import Forbidden, InvalidRequest, NotFound
from scelle_notification.domain.model import may_opt_out_of_party_activity
from scelle_notification.service_layer.context import Actor, Services
from scelle_notification.service_layer.unit_of_work import NotificationUnitOfWork

OPERATOR = "operateur"
STATUSES = ("pending", "sent", "failed")


def _audit(uow: NotificationUnitOfWork, services: Services, actor: Actor, action: str, target: str,
           outcome: str = "ok", **details: Any) -> None:
    uow.record(AuditEntry(action=action, target=target, outcome=outcome, occurred_at=services.clock(),
                          account_id=actor.account_id, profile=actor.profile,
                          cert_fingerprint=actor.cert_fingerprint, cert_serial=actor.cert_serial,
                          client_ip=actor.client_ip, details=details))


def _require_operator(uow: NotificationUnitOfWork, services: Services, actor: Actor, action: str,
                      target: str) -> None:
    if actor.profile != OPERATOR:
        _audit(uow, services, actor, action, target, outcome="denied")
        uow.commit()
        raise Forbidden("réservé aux opérateurs de la plateforme")


def encode_cursor(row: dict[str, Any]) -> str:
    raw = json.dumps([row["created_at"].isoformat(), row["id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created_at, email_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(created_at), str(email_id)
    except (ValueError, TypeError) as exc:
        raise InvalidRequest("curseur invalide") from exc


@dataclass(frozen=True)
class EmailFilter:
    recipient_account_id: str | None = None
    status: str | None = None
    kind: str | None = None
    cause_event_id: str | None = None
    cursor: str | None = None
    limit: int = 50


def list_emails(services: Services, actor: Actor, query: EmailFilter) -> dict[str, Any]:
    """What was sent to whom, when, with which status (newest first); operators only."""
    with services.unit_of_work() as uow:
        _require_operator(uow, services, actor, "emails.list", query.recipient_account_id or "*")
        rows = uow.emails.page(recipient_account_id=query.recipient_account_id, status=query.status,
                               kind=query.kind, cause_event_id=query.cause_event_id,
                               before=decode_cursor(query.cursor) if query.cursor else None, limit=query.limit + 1)
        _audit(uow, services, actor, "emails.list", query.recipient_account_id or "*", count=min(len(rows),
                                                                                                 query.limit))
        uow.commit()
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1]) if more and rows else None}


def read_email(services: Services, actor: Actor, email_id: str) -> dict[str, Any]:
    """One mail with its rendered content; operators only."""
    with services.unit_of_work() as uow:
        _require_operator(uow, services, actor, "emails.read", email_id)
        email = uow.emails.get(email_id)
        if email is None:
            raise NotFound("courriel introuvable")
        _audit(uow, services, actor, "emails.read", email_id)
        uow.commit()
    email.pop("context", None)
    return email


def _preferences(uow: NotificationUnitOfWork, account_id: str) -> dict[str, Any]:
    contact = uow.contacts.contact(account_id)
    profile = contact.profile if contact else None
    return {"account_id": account_id, "party_activity": uow.contacts.party_activity(account_id),
            "may_opt_out_of_party_activity": may_opt_out_of_party_activity(profile)}


def get_preferences(services: Services, actor: Actor) -> dict[str, Any]:
    with services.unit_of_work() as uow:
        return _preferences(uow, actor.account_id) | {
            "may_opt_out_of_party_activity": may_opt_out_of_party_activity(actor.profile)}


def set_preferences(services: Services, actor: Actor, party_activity: bool) -> dict[str, Any]:
    """Magistrats, greffiers and avocats may stop hearing about the parties' activity."""
    with services.unit_of_work() as uow:
        if not party_activity and not may_opt_out_of_party_activity(actor.profile):
            _audit(uow, services, actor, "preferences.update", actor.account_id, outcome="denied")
            uow.commit()
            raise Forbidden("seuls les magistrats, greffiers et avocats peuvent se désabonner de l'activité des "
                            "parties")
        uow.contacts.set_party_activity(actor.account_id, party_activity, services.clock())
        _audit(uow, services, actor, "preferences.update", actor.account_id, party_activity=party_activity)
        uow.commit()
    return {"account_id": actor.account_id, "party_activity": party_activity,
            "may_opt_out_of_party_activity": may_opt_out_of_party_activity(actor.profile)}
