"""The audit chain in a real PostgreSQL database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from scelle_common.audit import GENESIS_HASH, AuditEntry, AuditTrail


def entry(number: int) -> AuditEntry:
    return AuditEntry(action="document.download", target=f"doc-{number}", outcome="allowed",
                      occurred_at=datetime.now(UTC), account_id="acc-1", cert_fingerprint="ab" * 32,
                      client_ip="203.0.113.7", details={"n": number})


@pytest.fixture
def trail(engine):
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        connection.execute(text("TRUNCATE audit_log"))
        connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    return AuditTrail()


def test_appended_rows_form_an_intact_chain(unit_of_work, trail):
    for number in range(5):
        with unit_of_work() as uow:
            trail.append(uow.session, entry(number))
            uow.commit()
    with unit_of_work() as uow:
        result = trail.verify(uow.session)
        assert result.intact and result.rows_checked == 5
        assert trail.head(uow.session)[1] == result.head_hash != GENESIS_HASH


def test_a_rolled_back_action_leaves_no_audit_row(unit_of_work, trail):
    with unit_of_work() as uow:
        trail.append(uow.session, entry(1))
        uow.rollback()
    with unit_of_work() as uow:
        assert trail.verify(uow.session).rows_checked == 0


def test_the_database_refuses_to_rewrite_or_delete_evidence(engine, unit_of_work, trail):
    with unit_of_work() as uow:
        trail.append(uow.session, entry(1))
        uow.commit()
    for statement in ("UPDATE audit_log SET outcome = 'denied'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))


def test_verification_finds_the_first_row_edited_behind_the_trigger(engine, unit_of_work, trail):
    for number in range(4):
        with unit_of_work() as uow:
            trail.append(uow.session, entry(number))
            uow.commit()
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        seq = connection.execute(text("SELECT seq FROM audit_log ORDER BY seq OFFSET 2 LIMIT 1")).scalar_one()
        connection.execute(text("UPDATE audit_log SET outcome = 'denied' WHERE seq = :seq"), {"seq": seq})
        connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    with unit_of_work() as uow:
        result = trail.verify(uow.session)
    assert not result.intact
    assert result.first_broken_seq == seq
    assert result.rows_checked == 2
