"""The inbox: which events a consumer has already applied."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from scelle_common.events import Event
from scelle_common.tables import inbox


class Inbox:
    """Deduplicates deliveries per ``(consumer, source, id)`` inside the effect's transaction."""

    def __init__(self, consumer: str) -> None:
        self.consumer = consumer

    def claim(self, session: Session, event: Event) -> bool:
        """Record ``event`` as applied; ``False`` if it already was (the effect must be skipped).

        A concurrent claim of the same event waits for the first transaction and
        then sees the conflict, so two consumers never both apply it.
        """
        statement = (
            insert(inbox)
            .values(consumer=self.consumer, source=event.source, event_id=event.id, event_name=event.name)
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        )
        return session.execute(statement).first() is not None
