"""The expertise HTTP API."""

from flask import Flask

from scelle_common.http import create_service_app
from scelle_common.logging import configure_logging
from scelle_expertise.bootstrap import SERVICE, build_runtime
from scelle_expertise.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    runtime = build_runtime(settings)
    configure_logging(SERVICE, runtime.settings.log_level)
    return create_service_app(runtime)
