"""The daily run against real PostgreSQL: schedule, idempotence, gap-free numbering under concurrency."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from scelle_billing.adapters.reference_data import DATA_DIR
from scelle_billing.domain.invoices import InvoiceDayInPast
from scelle_billing.domain.tariffs import tariff_book
from scelle_billing.entrypoints import consumer
from scelle_billing.entrypoints.cli import cli

from scelle_billing.service_layer.invoicing import run_invoicing
from scelle_billing.service_layer.payments import record_termination
from scelle_billing.service_layer.context import Actor

from .conftest import Billing, open_expertise

D = dt.date
with (DATA_DIR / "tariffs.csv").open(encoding="utf-8") as _handle:
    TARIFF_ROWS = list(csv.DictReader(_handle))


def invoices_of(billing: Billing, expertise_id: str) -> list[tuple[str, int, int]]:
    return [(row.kind, row.total_ht_cents, row.total_ttc_cents) for row in billing.sql(
        "SELECT kind, total_ht_cents, total_ttc_cents FROM invoices WHERE expertise_id = :e ORDER BY sequence",
        e=expertise_id)]


def test_the_first_invoice_comes_six_months_after_en_cours_with_the_85_euro_example(fresh_billing):
    expertise = open_expertise(fresh_billing, D(2026, 1, 10))
    assert run_invoicing(fresh_billing.services, D(2026, 7, 9)).invoices == []
    report = run_invoicing(fresh_billing.services, D(2026, 7, 10))
    assert report.invoices == ["2026-000001"]
    assert invoices_of(fresh_billing, expertise.id) == [("premiere", 8500, 10200)]
    issued, = fresh_billing.events("billing.invoice_issued.v1")
    assert issued.data["account_id"] == expertise.owner
    assert issued.data["due_on"] == "2026-08-09"
    assert issued.data["payment_method"] == "prelevement_sepa"
    assert fresh_billing.sql("SELECT count(*) FROM audit_log WHERE action = 'invoice.issue'")[0][0] == 1


def test_running_the_command_twice_on_the_same_day_issues_nothing_new(fresh_billing):
    for n in range(5):
        open_expertise(fresh_billing, D(2025, 11, 1 + n))
    first = run_invoicing(fresh_billing.services, D(2026, 5, 10))
    second = run_invoicing(fresh_billing.services, D(2026, 5, 10))
    assert len(first.invoices) == 5
    assert second.invoices == []
    assert fresh_billing.sql("SELECT count(*) FROM invoices")[0][0] == 5
    assert len(fresh_billing.events("billing.invoice_issued.v1")) == 5


def test_two_concurrent_runs_leave_no_gap_and_no_duplicate_number(fresh_billing):
    for n in range(60):
        open_expertise(fresh_billing, D(2025, 10, 1 + n % 28), parties=1, certificates=0)
    reports = []
    barrier = threading.Barrier(3)

    def run() -> None:
        barrier.wait()
        reports.append(run_invoicing(fresh_billing.services, D(2026, 6, 1)))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(number for report in reports for number in report.invoices)
    assert numbers == [f"2026-{n:06d}" for n in range(1, 61)]
    assert fresh_billing.sql("SELECT array_agg(sequence ORDER BY sequence) FROM invoices")[0][0] == list(range(1, 61))
    assert fresh_billing.sql("SELECT count(DISTINCT expertise_id) FROM invoices")[0][0] == 60
    # Numbers follow issue order: the counter row serialises the invoices' transactions.
    created = fresh_billing.sql("SELECT sequence FROM invoices ORDER BY created_at, sequence")
    assert [row.sequence for row in created] == sorted(row.sequence for row in created)


def test_a_final_report_before_six_months_gives_a_single_invoice_and_a_later_party_a_supplementary_one(
        fresh_billing):
    expertise = open_expertise(fresh_billing, D(2026, 1, 10))
    fresh_billing.feed("documents", expertise.deposited(D(2026, 3, 2), folder="expert/correspondance"))
    assert run_invoicing(fresh_billing.services, D(2026, 3, 2)).invoices == []
    fresh_billing.feed("documents", expertise.deposited(D(2026, 3, 3)))
    assert len(run_invoicing(fresh_billing.services, D(2026, 3, 3)).invoices) == 1
    fresh_billing.feed("expertises", expertise.party(D(2026, 4, 1)))
    run_invoicing(fresh_billing.services, D(2026, 4, 2))
    run_invoicing(fresh_billing.services, D(2026, 7, 10))  # six months: nothing more
    assert invoices_of(fresh_billing, expertise.id) == [("unique", 8500, 10200), ("complementaire", 1000, 1200)]


def test_a_report_after_six_months_gives_the_remainder_of_what_accrued_since(fresh_billing):
    expertise = open_expertise(fresh_billing, D(2026, 1, 10), parties=1, certificates=0)
    run_invoicing(fresh_billing.services, D(2026, 7, 10))
    fresh_billing.feed("certificates", expertise.certificate(D(2026, 8, 1)))
    assert run_invoicing(fresh_billing.services, D(2026, 8, 2)).invoices == []
    fresh_billing.feed("documents", expertise.deposited(D(2026, 9, 1)))
    run_invoicing(fresh_billing.services, D(2026, 9, 1))
    assert invoices_of(fresh_billing, expertise.id) == [("premiere", 4500, 5400), ("solde", 1500, 1800)]


def test_termination_invoices_every_expertise_of_the_account_that_reached_en_cours(fresh_billing, clock):
    owner = "expert-terminating"
    first = open_expertise(fresh_billing, D(2026, 9, 1), owner=owner)
    second = open_expertise(fresh_billing, D(2026, 10, 1), parties=0, certificates=0, owner=owner)
    other = open_expertise(fresh_billing, D(2026, 10, 1))
    record_termination(fresh_billing.services, Actor("op-1", "operateur"), owner, D(2026, 11, 2))
    report = run_invoicing(fresh_billing.services, D(2026, 11, 2))
    assert len(report.invoices) == 2
    assert invoices_of(fresh_billing, first.id) == [("resiliation", 8500, 10200)]
    assert invoices_of(fresh_billing, second.id) == [("resiliation", 3500, 4200)]
    assert invoices_of(fresh_billing, other.id) == []
    assert fresh_billing.sql("SELECT termination_effective_on FROM billing_accounts WHERE account_id = :a",
                             a=owner)[0][0] == D(2027, 2, 2)


def test_an_invoice_left_unpaid_brings_a_formal_notice_then_a_suspension(fresh_billing):
    expertise = open_expertise(fresh_billing, D(2025, 1, 10))
    run_invoicing(fresh_billing.services, D(2025, 7, 10))  # due 2025-08-09
    run_invoicing(fresh_billing.services, D(2025, 8, 10))  # first late day: incident
    assert fresh_billing.events("billing.formal_notice_sent.v1") == []
    run_invoicing(fresh_billing.services, D(2025, 9, 9))
    notice, = fresh_billing.events("billing.formal_notice_sent.v1")
    assert notice.data["account_id"] == expertise.owner
    assert notice.data["incident_on"] == "2025-08-10"
    assert notice.data["suspension_on"] == "2025-09-24"
    run_invoicing(fresh_billing.services, D(2025, 9, 23))
    assert fresh_billing.events("billing.account_suspended.v1") == []
    run_invoicing(fresh_billing.services, D(2025, 9, 24))
    run_invoicing(fresh_billing.services, D(2025, 9, 24))
    suspended, = fresh_billing.events("billing.account_suspended.v1")
    assert suspended.data["account_id"] == expertise.owner  # what identity needs
    # 102 € + 40 € + 46 days at 3 × 2.76 % = 142,00 € + 1,06 €
    assert suspended.data["amount_due_cents"] == 10200 + 4000 + 106


def test_a_tariff_revision_is_announced_once_and_prices_only_expertises_entering_en_cours_after_it(
        fresh_billing, monkeypatch):
    revised = tariff_book(
        [dict(row, version="2020-04", announced_on="", effective_from="2020-04-01") for row in TARIFF_ROWS]
        + [dict(row, version="2026-07", announced_on="2026-02-15", effective_from="2026-07-01",
                unit_price_cents_ht=str(int(row["unit_price_cents_ht"]) + 100)) for row in TARIFF_ROWS])
    fresh_billing.services.tariffs = revised
    monkeypatch.setattr(consumer._reference(), "tariffs", revised)  # the consumers price with the same book
    before = open_expertise(fresh_billing, D(2026, 6, 30), parties=1, certificates=0)
    after = open_expertise(fresh_billing, D(2026, 7, 1), parties=1, certificates=0)
    assert run_invoicing(fresh_billing.services, D(2026, 2, 14)).announcements == []
    assert run_invoicing(fresh_billing.services, D(2026, 2, 15)).announcements == ["2026-07"]
    assert run_invoicing(fresh_billing.services, D(2026, 2, 16)).announcements == []
    announced, = fresh_billing.events("billing.tariff_announced.v1")
    assert (announced.data["announced_on"], announced.data["effective_from"]) == ("2026-02-15", "2026-07-01")
    run_invoicing(fresh_billing.services, D(2027, 1, 1))
    assert invoices_of(fresh_billing, before.id) == [("premiere", 4500, 5400)]
    assert invoices_of(fresh_billing, after.id) == [("premiere", 4800, 5760)]


def test_the_command_runs_the_day_given_and_prints_what_it_did(fresh_billing, monkeypatch):
    open_expertise(fresh_billing, D(2026, 1, 10))
    monkeypatch.setenv("BILLING_DATABASE_URL", fresh_billing.database_url)
    monkeypatch.setenv("BILLING_BROKER_URL", fresh_billing.runtime.settings.broker_url)
    runner = CliRunner()
    first = runner.invoke(cli, ["run-invoicing", "--date", "2026-07-10"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output.strip().splitlines()[-1])["invoices_issued"] == 1
    again = runner.invoke(cli, ["run-invoicing", "--date", "2026-07-10"])
    assert json.loads(again.output.strip().splitlines()[-1])["invoices_issued"] == 0


def test_a_run_dated_before_the_last_invoice_is_refused_so_numbers_stay_chronological(fresh_billing, monkeypatch):
    open_expertise(fresh_billing, D(2026, 1, 10))
    open_expertise(fresh_billing, D(2026, 1, 15))
    run_invoicing(fresh_billing.services, D(2026, 7, 15))
    open_expertise(fresh_billing, D(2026, 1, 5))  # arrived late: due since 2026-07-05
    with pytest.raises(InvoiceDayInPast):
        run_invoicing(fresh_billing.services, D(2026, 7, 10))
    monkeypatch.setenv("BILLING_DATABASE_URL", fresh_billing.database_url)
    monkeypatch.setenv("BILLING_BROKER_URL", fresh_billing.runtime.settings.broker_url)
    refused = CliRunner().invoke(cli, ["run-invoicing", "--date", "2026-07-10"])
    assert refused.exit_code == 2
    assert len(run_invoicing(fresh_billing.services, D(2026, 7, 15)).invoices) == 1
    assert fresh_billing.sql("SELECT array_agg(issued_on ORDER BY sequence) FROM invoices")[0][0] == [
        D(2026, 7, 15)] * 3


def test_two_run_invoicing_processes_started_together_share_the_numbers_without_gap(fresh_billing):
    for n in range(30):
        open_expertise(fresh_billing, D(2025, 9, 1 + n % 28), parties=1, certificates=0)
    env = os.environ | {"BILLING_DATABASE_URL": fresh_billing.database_url,
                        "BILLING_BROKER_URL": fresh_billing.runtime.settings.broker_url, "BILLING_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-c", "from scelle_billing.entrypoints.cli import cli; cli()",
               "run-invoicing", "--date", "2026-04-01"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    issued = [json.loads(out.strip().splitlines()[-1])["invoices_issued"] for out, _ in outputs]
    assert sum(issued) == 30
    assert fresh_billing.sql("SELECT array_agg(sequence ORDER BY sequence) FROM invoices")[0][0] == list(range(1, 31))
