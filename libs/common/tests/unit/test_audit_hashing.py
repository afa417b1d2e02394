from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from scelle_common.audit import GENESIS_HASH, AuditEntry, row_hash

ENTRY = AuditEntry(action="document.download", target="doc-1", outcome="allowed",
                   occurred_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC), account_id="acc-1",
                   cert_fingerprint="ab" * 32, details={"folder": "expert/designation"})


def test_the_hash_depends_on_every_field_and_on_the_previous_row():
    digest = row_hash(ENTRY, GENESIS_HASH)
    assert len(digest) == 64
    assert row_hash(replace(ENTRY, outcome="denied"), GENESIS_HASH) != digest
    assert row_hash(replace(ENTRY, details={"folder": "autre"}), GENESIS_HASH) != digest
    assert row_hash(ENTRY, "1" * 64) != digest


def test_the_same_instant_in_another_time_zone_hashes_the_same():
    paris = ENTRY.occurred_at.astimezone(timezone(timedelta(hours=1)))
    assert row_hash(replace(ENTRY, occurred_at=paris), GENESIS_HASH) == row_hash(ENTRY, GENESIS_HASH)
