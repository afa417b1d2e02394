"""The identity HTTP API."""

from __future__ import annotations

from flask import Flask

from scelle_common.http import create_service_app
from scelle_common.logging import configure_logging
from scelle_identity.bootstrap import SERVICE, build_runtime, build_services
from scelle_identity.config import Settings
from scelle_identity.entrypoints.api import (
    accounts,
    directory,
    gateway,
    operators,
    public,
    registration,
    software_certificates,
)
from scelle_identity.entrypoints.api.common import SERVICES_KEY, install_error_table
from scelle_identity.service_layer.ports import Clock, Mailer

BLUEPRINTS = (gateway.blueprint, public.blueprint, registration.blueprint, accounts.blueprint,
              software_certificates.blueprint, directory.blueprint, operators.blueprint)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               mailer: Mailer | None = None) -> Flask:
    """The API; ``clock`` and ``mailer`` replace the real ones in tests."""
    runtime = build_runtime(settings)
    configure_logging(SERVICE, runtime.settings.log_level)
    overrides = {"clock": clock} if clock else {}
    services = build_services(runtime, mailer=mailer, **overrides)
    app = create_service_app(runtime, blueprints=BLUEPRINTS, title="Scellé identity",
                             accepts_registrants=True)
    app.extensions[SERVICES_KEY] = services
    install_error_table(app)
    return app
