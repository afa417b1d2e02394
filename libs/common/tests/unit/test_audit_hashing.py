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


def test_an_audit_entry_records_the_actor_cuts_long_targets_and_drops_empty_details():
    from dataclasses import dataclass

    from scelle_common.audit import audit_entry

    @dataclass(frozen=True)
    class Caller:
        account_id: str | None = "acc-9"
        profile: str = "avocat"
        fingerprint: str | None = "cd" * 32
        serial: str | None = "0a"
        client_ip: str | None = "203.0.113.9"

    entry = audit_entry(Caller(), "document.download", "d" * 400, "allowed", ENTRY.occurred_at,
                        folder="expert/designation", range=None)
    assert (entry.account_id, entry.profile, entry.cert_fingerprint, entry.cert_serial, entry.client_ip) == (
        "acc-9", "avocat", "cd" * 32, "0a", "203.0.113.9")
    assert len(entry.target) == 300
    assert entry.details == {"folder": "expert/designation"}
