"""gunicorn entrypoint: ``gunicorn scelle_identity.entrypoints.wsgi:app``.

A real API process refuses to start without its key material (see ``Settings.require_api``).
"""

import sys

from scelle_common.config import ConfigError, load_settings
from scelle_identity.config import Settings
from scelle_identity.entrypoints.flask_app import create_app

try:
    _settings = load_settings(Settings)
    _settings.require_api()
except ConfigError as exc:
    sys.exit(f"scelle-identity: {exc}")

app = create_app(_settings)
