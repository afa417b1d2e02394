"""The billing HTTP API."""

from __future__ import annotations

from flask import Flask

from scelle_common.http import create_service_app
from scelle_common.logging import configure_logging
from scelle_billing.bootstrap import SERVICE, build_runtime, build_services
from scelle_billing.config import Settings
from scelle_billing.entrypoints.api import billing
from scelle_billing.entrypoints.api.common import SERVICES_KEY, install_error_table
from scelle_billing.service_layer.context import Clock

BLUEPRINTS = (billing.blueprint,)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """The API; ``clock`` replaces the real one in tests."""
    runtime = build_runtime(settings)
    configure_logging(SERVICE, runtime.settings.log_level)
    services = build_services(runtime, clock=clock) if clock else build_services(runtime)
    app = create_service_app(runtime, blueprints=BLUEPRINTS, title="Scellé billing")
    app.extensions[SERVICES_KEY] = services
    install_error_table(app)
    return app
