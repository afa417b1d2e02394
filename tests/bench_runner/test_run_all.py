"""tests/bench/run_all: every benchmark is known to it, and its report says what the benchmarks said.

The quick runs are the real scripts with tiny sizes against the test PostgreSQL and RabbitMQ; the
gateway's and the vault's figures are read from outputs those benchmarks really printed
(``recorded/``; the vault needs the whole local platform, the gateway half a minute of load).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "tests" / "bench"
RECORDED = Path(__file__).resolve().parent / "recorded"


@pytest.fixture(scope="module")
def run_all() -> Iterator[ModuleType]:
    """tests/bench/run_all, a script without a .py suffix, as a module."""
    loader = importlib.machinery.SourceFileLoader("run_all", str(BENCH / "run_all"))
    spec = importlib.util.spec_from_loader("run_all", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module  # dataclasses look their module up while the class is built
    loader.exec_module(module)
    yield module
    del sys.modules["run_all"]


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def figures_table(report: str) -> list[list[str]]:
    """The rows of the report's Figures table, as cells."""
    table = report.split("## Figures", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith("| ")][2:]
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]


def test_every_benchmark_script_is_run_by_run_all(run_all: ModuleType) -> None:
    scripts = {path.name for path in BENCH.glob("*.py") if not path.name.startswith("_")}
    assert scripts == {benchmark.script for benchmark in run_all.BENCHMARKS}


def test_the_report_of_quick_runs_shows_each_figure_with_its_baseline_and_verdict(tmp_path: Path) -> None:
    output, kept = tmp_path / "benchmarks.md", tmp_path / "json"
    done = subprocess.run([sys.executable, str(BENCH / "run_all"), "--quick", "--only", "bus,expertise,billing,digest",
                           "--output", str(output), "--json-dir", str(kept)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = output.read_text(encoding="utf-8")
    assert f"on **{datetime.now(UTC):%Y-%m-%d}**" in report
    assert "Quick run" in report
    assert re.search(r"\| PostgreSQL \| \d+\.\d+ \|", report)
    assert re.search(r"\| RabbitMQ \| \d+\.\d+\.\d+ \|", report)
    assert re.search(r"\| CPU \| .+, \d+ cores \|", report)
    for name in ("bus", "expertise", "billing", "digest"):
        assert re.search(rf"\| {name} \(`tests/bench/{name}_bench.py`\) \| .* \| \d+% \|", report), name
    rows = figures_table(report)
    assert {row[0] for row in rows} == {"bus", "expertise", "billing", "digest"}
    assert not [row for row in rows if "ERROR" in row[6]]

    bus = json.loads((kept / "bus.json").read_text())
    saturated = next(row for row in rows if row[1].startswith("Scellé bus end to end"))
    assert saturated[2] == f"{bus['scelle']['events_per_second']:,.0f} events/s"
    assert saturated[3].startswith(f"{bus['raw']['events_per_second']:,.0f} events/s (raw pika")
    assert saturated[4] == f"{bus['ratio']:.3f}"
    assert saturated[6] == ("**PASS**" if bus["targets"]["end_to_end_events_per_second"]["pass"] else "**FAIL**")

    billing = json.loads((kept / "billing.json").read_text())
    assert billing["invoices_issued"] == 20
    correct = next(row for row in rows if row[0] == "billing" and "exactly the due invoices" in row[1])
    assert correct[2].startswith("20 issued, 0 on the second run") and correct[6] == "**PASS**"

    expertise = json.loads((kept / "expertise.json").read_text())
    search = next(row for row in rows if row[1].startswith("expertise search p95"))
    assert search[2] == f"{expertise['latency_ms']['search']['p95']:.1f} ms"
    assert search[3] == f"{expertise['latency_ms']['primary key']['p95']:.2f} ms (SELECT by primary key)"
    assert search[5] == "p95 < 50 ms"


def test_gateway_and_vault_figures_come_from_their_json(run_all: ModuleType) -> None:
    gateway = recorded("gateway")
    whoami = gateway["targets"][0]
    rows = run_all.gateway_figures(gateway)
    throughput, latency = rows[0], rows[1]
    assert throughput.measured == f"{whoami['throughput']['gateway']['req_per_s']:,.0f} req/s"
    assert throughput.baseline.startswith(f"{whoami['throughput']['direct']['req_per_s']:,.0f} req/s")
    assert throughput.ratio == f"{whoami['verdict']['throughput_ratio']:.3f} (median of rounds)"
    assert throughput.target == "≥ 70% of direct"
    assert throughput.verdict == ("PASS" if whoami["verdict"]["throughput_pass"] else "FAIL")
    assert latency.ratio == f"+{whoami['verdict']['added_p50_ms']:.2f} ms" and latency.target == "adds < 3 ms"
    assert len(rows) == 2 * len(gateway["targets"])

    vault = recorded("vault")
    upload, download, first_byte = run_all.vault_figures(vault)[:3]
    assert upload.measured == f"{vault['throughput']['mb_per_s']['vault_up']:,.0f} MB/s"
    assert upload.baseline.startswith(f"{vault['throughput']['mb_per_s']['direct_up']:,.0f} MB/s (boto3")
    assert download.ratio == f"{vault['throughput']['ratio_download']:.3f}"
    assert download.verdict == ("PASS" if vault["targets"]["download_at_least_60_percent"] else "FAIL")
    assert first_byte.target == "< 1 s"

    roundtrip = recorded("vault-roundtrip")
    memory = run_all.vault_roundtrip_figures(roundtrip)[0]
    assert memory.measured == f"{roundtrip['roundtrip']['peak_rss_mb']:,.0f} MB" and memory.target == "< 200 MB"
    assert memory.verdict == ("PASS" if roundtrip["roundtrip"]["peak_rss_mb"] < 200 else "FAIL")


def test_output_the_report_cannot_read_is_an_error_not_a_figure(run_all: ModuleType) -> None:
    benchmark = next(benchmark for benchmark in run_all.BENCHMARKS if benchmark.name == "vault")
    skipped = run_all.Outcome(benchmark, 0.9, "0.00 0.00 0.00")
    run_all.read_figures(benchmark, "SKIPPED: vault_bench.py measures the local platform\n", skipped)
    assert skipped.error.startswith("no JSON on stdout: SKIPPED") and not skipped.figures

    truncated = recorded("vault")
    del truncated["zip"]
    incomplete = run_all.Outcome(benchmark, 0.9, "0.00 0.00 0.00")
    run_all.read_figures(benchmark, json.dumps(truncated), incomplete)
    assert "KeyError" in incomplete.error and not incomplete.figures


def test_a_benchmark_that_cannot_run_is_reported_and_the_others_still_run(
        run_all: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    digest = next(benchmark for benchmark in run_all.BENCHMARKS if benchmark.name == "digest")
    # billing_bench.py refuses --due 0 (argparse, exit 2) before it touches anything.
    broken = run_all.Benchmark("billing", "billing_bench.py", (), run_all.billing_figures, "the daily invoicing run",
                               quick_arguments=("--due", "0"))
    monkeypatch.setattr(run_all, "BENCHMARKS", (broken, digest))
    output = tmp_path / "report.md"

    assert run_all.main(["--quick", "--only", "billing,digest", "--output", str(output)]) == 1

    rows = figures_table(output.read_text(encoding="utf-8"))
    billing = [row for row in rows if row[0] == "billing"]
    assert len(billing) == 1 and billing[0][1] == "did not run"
    assert billing[0][6].startswith("**ERROR**: exited with status 2") and "--due" in billing[0][6]
    assert [row[6] for row in rows if row[0] == "digest"] == ["**PASS**", "**PASS**"]


def test_a_run_cut_short_says_which_benchmarks_it_did_not_measure(run_all: ModuleType) -> None:
    gateway = next(benchmark for benchmark in run_all.BENCHMARKS if benchmark.name == "gateway")
    outcome = run_all.Outcome(gateway, 0.42, "1.00 2.00 3.00", 60.0)
    run_all.read_figures(gateway, json.dumps(recorded("gateway")), outcome)
    now = datetime.now(UTC)

    report = run_all.render_report({"CPU": "test"}, [outcome], now, now, False, ["vault", "vault-roundtrip"])

    assert "**Incomplete: not measured (yet) — vault, vault-roundtrip.**" in report
    assert "| 42% | 1.00 2.00 3.00 | 60 s |" in report
    assert [row[0] for row in figures_table(report)] == ["gateway"] * 4
