"""The designation HTTP API."""

from __future__ import annotations

from flask import Flask

from scelle_common.http import create_service_app
from scelle_common.logging import configure_logging
from scelle_designation.bootstrap import SERVICE, build_runtime, build_services
from scelle_designation.config import Settings
from scelle_designation.entrypoints.api import designations
from scelle_designation.entrypoints.api.common import SERVICES_KEY, install_error_table
from scelle_designation.service_layer.context import Clock

BLUEPRINTS = (designations.blueprint,)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """The API; ``clock`` replaces the real one in tests (the 24 h windows without sleeping)."""
    runtime = build_runtime(settings)
    configure_logging(SERVICE, runtime.settings.log_level)
    services = build_services(runtime, clock=clock) if clock else build_services(runtime)
    app = create_service_app(runtime, blueprints=BLUEPRINTS, title="Scellé designation")
    app.extensions[SERVICES_KEY] = services
    install_error_table(app)
    return app
