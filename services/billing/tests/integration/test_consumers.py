"""The events billing consumes, through the real consumers and their inbox."""

from __future__ import annotations

import datetime as dt
import uuid

from scelle_common.events import new_event
from scelle_common.messaging import Outcome
from scelle_billing.service_layer.invoicing import run_invoicing

from .conftest import Billing, Expertise, open_expertise

D = dt.date


def lines_of(billing: Billing, expertise_id: str) -> list[tuple[str, int | None, dt.date]]:
    return [(row.code, row.unit_price_cents, row.accrued_on) for row in billing.sql(
        "SELECT code, unit_price_cents, accrued_on FROM billing_lines WHERE expertise_id = :e "
        "ORDER BY accrued_at, code", e=expertise_id)]


def test_entering_en_cours_freezes_the_tariff_and_accrues_reservation_and_opening(billing):
    expertise = open_expertise(billing, D(2026, 2, 1), parties=2, certificates=1)
    file, = billing.sql("SELECT owner_account_id, en_cours_on, tariff_version FROM billing_files "
                        "WHERE expertise_id = :e", e=expertise.id)
    assert (file.owner_account_id, file.en_cours_on, file.tariff_version) == (expertise.owner, D(2026, 2, 1),
                                                                             "2020-04")
    assert sorted(lines_of(billing, expertise.id)) == [
        ("certificat_logiciel", 1500, D(2026, 2, 1)), ("ouverture", 2500, D(2026, 2, 1)),
        ("partie", 1000, D(2026, 1, 30)), ("partie", 1000, D(2026, 1, 30)),
        ("reservation_capacite", 1000, D(2026, 2, 1))]


def test_a_redelivered_event_accrues_nothing_twice(billing):
    expertise = open_expertise(billing, D(2026, 2, 1), parties=0, certificates=0)
    party = expertise.party(D(2026, 2, 3))
    assert billing.feed("expertises", party) is Outcome.ACK
    assert billing.feed("expertises", party) is Outcome.ACK
    # Another event (new id) about the same party is absorbed by the line's uniqueness too.
    again = new_event(service="expertise", name="expertise.party_added.v1", subject=expertise.id,
                      data=party.data | {"expertise_version": 99})
    assert billing.feed("expertises", again) is Outcome.ACK
    assert [code for code, _, _ in lines_of(billing, expertise.id)].count("partie") == 1


def test_a_stale_status_change_is_dropped(billing):
    expertise = open_expertise(billing, D(2026, 2, 1), parties=0, certificates=0)
    paused = expertise.status(D(2026, 3, 1), "en_pause", "en_cours")
    assert billing.feed("expertises", paused) is Outcome.ACK
    late = expertise.status(D(2026, 2, 20), "en_cours", "en_pause", version=paused.data["expertise_version"] - 1)
    assert billing.feed("expertises", late) is Outcome.ACK
    assert billing.sql("SELECT status FROM billing_files WHERE expertise_id = :e", e=expertise.id)[0][0] == "en_pause"
    stale = billing.sql("SELECT count(*) FROM audit_log WHERE action = 'billing_file.status' AND outcome = 'stale' "
                        "AND target = :t", t=f"expertise:{expertise.id}")
    assert stale[0][0] == 1


def test_returning_to_en_cours_keeps_the_first_start_of_the_billing_clock(billing):
    expertise = open_expertise(billing, D(2026, 2, 1), parties=0, certificates=0)
    billing.feed("expertises", expertise.status(D(2026, 3, 1), "en_pause", "en_cours"))
    billing.feed("expertises", expertise.status(D(2026, 4, 1), "en_cours", "en_pause"))
    assert billing.sql("SELECT en_cours_on FROM billing_files WHERE expertise_id = :e",
                       e=expertise.id)[0][0] == D(2026, 2, 1)
    assert len(lines_of(billing, expertise.id)) == 2


def test_parties_added_before_en_cours_are_priced_when_the_tariff_is_frozen(billing):
    expertise = Expertise()
    billing.feed("expertises", expertise.created(D(2026, 1, 1)))
    billing.feed("expertises", expertise.party(D(2026, 1, 2)))
    assert lines_of(billing, expertise.id) == [("partie", None, D(2026, 1, 2))]
    billing.feed("expertises", expertise.status(D(2026, 1, 5), "en_cours"))
    assert ("partie", 1000, D(2026, 1, 2)) in lines_of(billing, expertise.id)


def test_only_the_final_report_folder_dates_the_report_and_the_first_one_counts(billing):
    expertise = open_expertise(billing, D(2026, 2, 1), parties=0, certificates=0)
    billing.feed("documents", expertise.deposited(D(2026, 3, 1), folder="expert/correspondance"))
    assert billing.sql("SELECT final_report_on FROM billing_files WHERE expertise_id = :e",
                       e=expertise.id)[0][0] is None
    billing.feed("documents", expertise.deposited(D(2026, 3, 10)))
    billing.feed("documents", expertise.deposited(D(2026, 3, 20)))
    assert billing.sql("SELECT final_report_on FROM billing_files WHERE expertise_id = :e",
                       e=expertise.id)[0][0] == D(2026, 3, 10)


def test_a_certificate_not_issued_for_an_expertise_is_not_billed(billing):
    event = new_event(service="identity", name="identity.software_certificate_issued.v1", subject="a", data={
        "account_id": "a", "account_version": 1, "certificate_serial": uuid.uuid4().hex, "expertise_id": None,
        "issued_at": "2026-01-01T10:00:00Z"})
    assert billing.feed("certificates", event) is Outcome.ACK


def test_an_event_without_its_expertise_goes_to_the_dead_letters(billing):
    event = new_event(service="expertise", name="expertise.party_added.v1", subject="x",
                      data={"expertise_version": 2, "party_id": "p"})
    assert billing.feed("expertises", event) is Outcome.DEAD_LETTER


def test_a_merge_moves_files_invoices_and_dunning_to_the_surviving_account(fresh_billing):
    merged, surviving = "account-old", "account-kept"
    expertise = open_expertise(fresh_billing, D(2025, 1, 10), owner=merged)
    run_invoicing(fresh_billing.services, D(2025, 7, 10))
    run_invoicing(fresh_billing.services, D(2025, 8, 10))  # late: incident on the old account
    event = new_event(service="identity", name="identity.accounts_merged.v1", subject=surviving, data={
        "account_id": surviving, "account_version": 5, "status": "active", "merged_account_id": merged,
        "merged_account_version": 2, "moved_certificates": [], "merged_by": "op", "merged_at": "2025-08-11T10:00:00Z"})
    assert fresh_billing.feed("accounts", event) is Outcome.ACK
    assert fresh_billing.sql("SELECT owner_account_id FROM billing_files WHERE expertise_id = :e",
                             e=expertise.id)[0][0] == surviving
    assert fresh_billing.sql("SELECT DISTINCT account_id FROM invoices")[0][0] == surviving
    states = fresh_billing.sql("SELECT account_id, incident_on FROM billing_accounts")
    assert [(row.account_id, row.incident_on) for row in states] == [(surviving, D(2025, 8, 10))]
    run_invoicing(fresh_billing.services, D(2025, 9, 9))
    notice, = fresh_billing.events("billing.formal_notice_sent.v1")
    assert notice.data["account_id"] == surviving
