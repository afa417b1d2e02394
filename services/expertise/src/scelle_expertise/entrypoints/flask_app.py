"""The expertise HTTP API."""

from __future__ import annotations

from flask import Flask

from scelle_common.http import create_service_app
from scelle_common.logging import configure_logging
from scelle_expertise.bootstrap import SERVICE, build_runtime, build_services
from scelle_expertise.config import Settings
from scelle_expertise.entrypoints.api import expertises, participants, search, statistics
from scelle_expertise.entrypoints.api.common import SERVICES_KEY, install_error_table
from scelle_expertise.service_layer.context import Clock

BLUEPRINTS = (expertises.blueprint, participants.blueprint, search.blueprint, statistics.blueprint)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """The API; ``clock`` replaces the real one in tests."""
    runtime = build_runtime(settings)
    configure_logging(SERVICE, runtime.settings.log_level)
    services = build_services(runtime, clock=clock) if clock else build_services(runtime)
    app = create_service_app(runtime, blueprints=BLUEPRINTS, title="Scellé expertise")
    app.extensions[SERVICES_KEY] = services
    install_error_table(app)
    return app
