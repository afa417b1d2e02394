"""ServiceUnitOfWork: rows, outbox events and audit entries commit together, or not at all."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text

from scelle_common.audit import AuditEntry, AuditTrail
from scelle_common.db import UnitOfWork, make_session_factory
from scelle_common.messaging import Outbox
from scelle_common.service_uow import ServiceUnitOfWork
from scelle_common.tables import audit_log, outbox

from .conftest import thing_happened


class EffectsUnitOfWork(ServiceUnitOfWork):
    def bind(self, session):  # noqa: ANN001
        self.effects = session


def entry(note: str) -> AuditEntry:
    return AuditEntry(action="thing.do", target=f"thing:{note}", outcome="ok", occurred_at=dt.datetime.now(dt.UTC))


def counts(engine, note: str) -> tuple[int, int, int]:  # noqa: ANN001
    with engine.connect() as connection:
        effects = connection.execute(text("SELECT count(*) FROM effects WHERE note = :n"), {"n": note}).scalar_one()
        events = connection.execute(select(func.count()).select_from(outbox)
                                    .where(outbox.c.body.contains(note))).scalar_one()
        audits = connection.execute(select(func.count()).select_from(audit_log)
                                    .where(audit_log.c.target == f"thing:{note}")).scalar_one()
    return effects, events, audits


def write(uow: EffectsUnitOfWork, note: str) -> None:
    uow.effects.execute(text("INSERT INTO effects (event_id, note) VALUES ('e', :n)"), {"n": note})
    uow.publish(thing_happened(note))
    uow.record(entry(note))


def test_rows_events_and_audit_entries_commit_together_or_not_at_all(engine):
    factory = make_session_factory(engine)
    with EffectsUnitOfWork(factory, Outbox(), AuditTrail()) as uow:
        write(uow, "kept")
        uow.commit()
    with EffectsUnitOfWork(factory, Outbox(), AuditTrail()) as uow:
        write(uow, "dropped")  # leaves without commit
    assert counts(engine, "kept") == (1, 1, 1)
    assert counts(engine, "dropped") == (0, 0, 0)


def test_an_adopted_unit_of_work_leaves_the_commit_to_its_owner(engine):
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as owner:
        adopted = EffectsUnitOfWork.adopt(owner, Outbox(), AuditTrail())
        write(adopted, "adopted")
        adopted.commit()  # not yet
        assert counts(engine, "adopted") == (0, 0, 0)
        owner.commit()
    assert counts(engine, "adopted") == (1, 1, 1)
