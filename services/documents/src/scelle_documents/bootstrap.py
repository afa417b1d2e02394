"""Composition root of the documents service."""

from pathlib import Path

from scelle_common.config import load_settings
from scelle_common.runtime import ServiceRuntime
from scelle_documents.config import Settings

SERVICE = "documents"
SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    """Everything the documents processes need, from the environment unless ``settings`` is given."""
    return ServiceRuntime.build(SERVICE, SERVICE_ROOT, settings or load_settings(Settings))
