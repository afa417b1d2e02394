"""``scelle-billing``: migrate, relay, consume, replay-dlq, verify-audit, and the daily run-invoicing."""

from __future__ import annotations

import json
import sys
import time
from datetime import date

import click

from scelle_common.cli import service_cli
from scelle_common.config import ConfigError
from scelle_common.logging import configure_logging
from scelle_billing.bootstrap import SERVICE, build_runtime, build_services
from scelle_billing.domain.calendar import civil_date
from scelle_billing.domain.invoices import InvoiceDayInPast
from scelle_billing.entrypoints.consumer import CONSUMERS
from scelle_billing.service_layer.context import utc_now
from scelle_billing.service_layer.invoicing import run_invoicing

cli = service_cli(SERVICE, build_runtime, CONSUMERS)


@cli.command("run-invoicing", help="The daily run: announce tariffs, issue the invoices due, dun late accounts. "
                                   "Idempotent for a given date (the Kubernetes CronJob runs it daily).")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the billing day (YYYY-MM-DD); today in France by default")
def run_invoicing_command(day: object) -> None:
    try:
        runtime = build_runtime()
    except ConfigError as exc:
        click.echo(f"scelle-{SERVICE}: {exc}", err=True)
        sys.exit(2)
    configure_logging(SERVICE, runtime.settings.log_level)
    try:
        services = build_services(runtime)
        billing_day: date = day.date() if day is not None else civil_date(utc_now())  # type: ignore[attr-defined]
        started = time.monotonic()
        try:
            report = run_invoicing(services, billing_day)
        except InvoiceDayInPast as exc:
            click.echo(f"scelle-{SERVICE} run-invoicing: {exc.detail}", err=True)
            sys.exit(2)
        click.echo(json.dumps(report.as_dict() | {"seconds": round(time.monotonic() - started, 3)}))
    finally:
        runtime.close()
