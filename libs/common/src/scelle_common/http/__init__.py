"""HTTP conventions of every Scellé API (DESIGN.md §5).

:func:`create_service_app` builds a Flask app that answers every error as
RFC 9457 problem+json, carries request ids, serves ``/healthz``, ``/readyz``,
``/metrics`` and ``/openapi.json``, and requires a verified principal token on
every other route (deny by default).
"""

from scelle_common.http.app import ScelleApi, create_service_app
from scelle_common.http.health import broker_check, database_check
from scelle_common.http.principal import (
    PRINCIPAL_HEADER,
    InvalidPrincipal,
    Principal,
    PrincipalVerifier,
    current_principal,
    public,
)
from scelle_common.http.problems import Problem

__all__ = [
    "PRINCIPAL_HEADER",
    "InvalidPrincipal",
    "Principal",
    "PrincipalVerifier",
    "Problem",
    "ScelleApi",
    "broker_check",
    "create_service_app",
    "current_principal",
    "database_check",
    "public",
]
