"""``scelle-notification``: migrate, relay, consume, replay-dlq, verify-audit, send-mail and digest."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import click

from scelle_common.cli import service_cli
from scelle_common.logging import configure_logging, get_logger
from scelle_common.runtime import stop_on_signals
from scelle_notification.bootstrap import SERVICE, build_mailer, build_runtime, build_services
from scelle_notification.config import Settings
from scelle_notification.entrypoints.consumer import CONSUMERS
from scelle_notification.service_layer.delivery import run_sender
from scelle_notification.service_layer.digests import run_digest

log = get_logger(__name__)
cli = service_cli(SERVICE, build_runtime, CONSUMERS)


@cli.command("send-mail", help="Deliver queued e-mails over SMTP until stopped (retries with backoff).")
def send_mail() -> None:
    runtime = build_runtime()
    configure_logging(SERVICE, runtime.settings.log_level)
    settings = runtime.settings
    assert isinstance(settings, Settings)
    try:
        log.info("sender.started", smtp_host=settings.smtp_host, smtp_port=settings.smtp_port,
                 starttls=settings.smtp_starttls)
        run_sender(build_services(runtime), build_mailer(settings), stop_on_signals(), settings.send_idle_seconds)
    finally:
        runtime.close()


# A digest ends a minute in the past by default: an event being consumed right now is stamped
# before its transaction commits, and must not fall into a period already read.
SETTLING = timedelta(minutes=1)


def _instant(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC) - SETTLING
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. 2026-12-03T20:00:00Z or +01:00")
    return parsed.astimezone(UTC)


@cli.command("digest", help="Queue the end-of-day digests (Compte rendu d'activité) up to --until. Safe to run "
                            "twice and resumable after a crash (the Kubernetes CronJob runs it each evening).")
@click.option("--until", "until", default=None, help="end of the period, RFC 3339 with zone; a minute ago by default")
def digest(until: str | None) -> None:
    runtime = build_runtime()
    configure_logging(SERVICE, runtime.settings.log_level)
    try:
        started = time.monotonic()
        report = run_digest(build_services(runtime), _instant(until))
        click.echo(json.dumps(report.as_dict() | {"seconds": round(time.monotonic() - started, 3)}))
    finally:
        runtime.close()
