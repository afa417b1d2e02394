"""The notification HTTP API."""

from __future__ import annotations

from flask import Flask

from scelle_common.http import create_service_app
from scelle_common.logging import configure_logging
from scelle_notification.bootstrap import SERVICE, build_runtime, build_services
from scelle_notification.config import Settings
from scelle_notification.entrypoints.api import notifications
from scelle_notification.entrypoints.api.common import SERVICES_KEY, install_error_table

BLUEPRINTS = (notifications.blueprint,)


def create_app(settings: Settings | None = None) -> Flask:
    runtime = build_runtime(settings)
    configure_logging(SERVICE, runtime.settings.log_level)
    app = create_service_app(runtime, blueprints=BLUEPRINTS, title="Scellé notification")
    app.extensions[SERVICES_KEY] = build_services(runtime)
    install_error_table(app)
    return app
