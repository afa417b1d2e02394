"""The transactional outbox: events are rows written in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from scelle_common.events import Event, SchemaRegistry, serialize_event
from scelle_common.tables import outbox

NOTIFY_CHANNEL = "scelle_outbox"


class Outbox:
    """Records events to publish, in the same transaction as the change they announce.

    Either both are recorded together, or nothing is. When a registry is given,
    every event is checked against its schema first, so a broken event fails the
    use case instead of reaching consumers.
    """

    def __init__(self, schemas: SchemaRegistry | None = None) -> None:
        self._schemas = schemas

    def add(self, session: Session, *events: Event) -> None:
        """Insert ``events`` in ``session``'s transaction and wake the relay at commit."""
        if not events:
            return
        if self._schemas is not None:
            for event in events:
                self._schemas.validate(event)
        session.execute(
            insert(outbox),
            [
                {"event_id": event.id, "event_name": event.name, "body": serialize_event(event).decode()}
                for event in events
            ],
        )
        # NOTIFY is transactional: the relay is woken only if this transaction commits.
        session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
