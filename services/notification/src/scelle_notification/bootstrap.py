"""Composition root of the notification service."""

from pathlib import Path

from scelle_common.config import load_settings
from scelle_common.runtime import ServiceRuntime
from scelle_notification.config import Settings

SERVICE = "notification"
SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    """Everything the notification processes need, from the environment unless ``settings`` is given."""
    return ServiceRuntime.build(SERVICE, SERVICE_ROOT, settings or load_settings(Settings))
