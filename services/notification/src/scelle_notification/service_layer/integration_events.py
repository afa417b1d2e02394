"""The only place notification facts become public events (contracts in ``contracts/events``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from scelle_common.events import Event, new_event

SERVICE = "notification"
EMAIL_FAILED = "notification.email_failed.v1"


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def email_failed(email: Mapping[str, Any], attempts: int, reason: str, smtp_code: int | None,
                 at: datetime) -> Event:
    """A mail that will never be delivered: a permanent SMTP refusal or too many temporary failures."""
    return new_event(service=SERVICE, name=EMAIL_FAILED, subject=email["id"], time=at, data={
        "email_id": email["id"], "email_version": attempts + 1, "kind": email["kind"],
        "recipient_account_id": email.get("recipient_account_id"), "cause_event_id": email.get("cause_event_id"),
        "expertise_id": email.get("expertise_id"), "attempts": attempts, "smtp_code": smtp_code,
        "reason": reason[:500], "failed_at": _instant(at)})
