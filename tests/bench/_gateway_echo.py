"""The cheapest authenticated service route, for tests/bench/gateway_bench.py (a helper, not a benchmark).

``gunicorn --chdir tests/bench _gateway_echo:app`` serves ``GET /v1/whoami``: built like every
Scellé API with ``scelle_common.http.create_service_app`` (request ids, metrics, logs, problem+json,
principal token verified on every request), it answers the caller's account id and profile and
touches nothing else — no database, no broker — so that what the benchmark measures beside it
is the gateway. Configured like a service, from ``BENCHECHO_*`` variables (``_DATABASE_URL`` and
``_BROKER_URL`` are required by the settings model but never connected to here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from flask_smorest import Blueprint

from scelle_common.config import ServiceSettings, load_settings
from scelle_common.http import create_service_app, current_principal
from scelle_common.runtime import ServiceRuntime


class Settings(ServiceSettings):
    env_prefix: ClassVar[str] = "BENCHECHO_"


blueprint = Blueprint("whoami", __name__, url_prefix="/v1")


@blueprint.route("/whoami", methods=["GET"])
def whoami() -> dict[str, Any]:
    principal = current_principal()
    return {"account_id": principal.account_id, "profile": principal.profile}


def create_app() -> Any:
    runtime = ServiceRuntime.build("benchecho", Path(__file__).resolve().parent, load_settings(Settings))
    return create_service_app(runtime, blueprints=[blueprint])


app = create_app()
