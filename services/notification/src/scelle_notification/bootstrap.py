"""Composition root of the notification service: settings → runtime, renderer, mailer → use cases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from scelle_common.config import load_settings
from scelle_common.runtime import ServiceRuntime
from scelle_notification.adapters.renderer import JinjaRenderer
from scelle_notification.adapters.smtp import SmtpMailer
from scelle_notification.config import Settings
from scelle_notification.domain.retry import RetryPolicy
from scelle_notification.service_layer.context import Clock, Services, utc_now
from scelle_notification.service_layer.unit_of_work import NotificationUnitOfWork

SERVICE = "notification"
SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    """Everything the notification processes need, from the environment unless ``settings`` is given."""
    return ServiceRuntime.build(SERVICE, SERVICE_ROOT, settings or load_settings(Settings))


def build_services(runtime: ServiceRuntime, *, clock: Clock = utc_now) -> Services:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    return Services(
        unit_of_work=lambda: NotificationUnitOfWork(runtime.session_factory, runtime.outbox, runtime.audit),
        renderer=JinjaRenderer(settings.public_url),
        clock=clock,
        retry=RetryPolicy(first=timedelta(seconds=settings.retry_first_seconds),
                          longest=timedelta(seconds=settings.retry_longest_seconds),
                          max_attempts=settings.retry_max_attempts),
        send_batch_size=settings.send_batch_size,
        send_lease_seconds=settings.send_lease_seconds,
        digest_chunk_size=settings.digest_chunk_size,
    )


def build_mailer(settings: Settings) -> SmtpMailer:
    return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from, starttls=settings.smtp_starttls,
                      username=settings.smtp_username, password=settings.smtp_password,
                      timeout=settings.smtp_timeout_seconds)
