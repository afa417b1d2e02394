"""The documents HTTP API."""

from __future__ import annotations

from typing import Any

from flask import Flask

from scelle_common.http import create_service_app
from scelle_common.logging import configure_logging
from scelle_documents.bootstrap import SERVICE, build_runtime, build_services
from scelle_documents.config import Settings
from scelle_documents.entrypoints.api import common, vault
from scelle_documents.service_layer.handlers import Clock

BLUEPRINTS = (vault.blueprint,)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """The API; ``clock`` replaces the real one in tests."""
    runtime = build_runtime(settings)
    configure_logging(SERVICE, runtime.settings.log_level)
    services = build_services(runtime, clock=clock) if clock else build_services(runtime)
    if services.blobs is not None:
        blobs = services.blobs
        original = runtime.readiness

        def readiness() -> dict[str, Any]:
            return {**original(), "s3": blobs.check}

        runtime.readiness = readiness  # type: ignore[method-assign]
    app = create_service_app(runtime, blueprints=BLUEPRINTS, title="Scellé documents")
    app.extensions[common.SERVICES_KEY] = services
    assert isinstance(runtime.settings, Settings)
    common.install(app, runtime.settings.json_max_bytes)
    return app
