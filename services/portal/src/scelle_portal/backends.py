"""Calls to the other services' public APIs, with the caller's principal token.

Every call carries the ``X-Scelle-Principal`` header the portal received (the caller's rights are
the services' business, never the portal's), the request id, and short timeouts. Failures become
two exceptions the views turn into French messages: :class:`ServiceUnavailable` (the service did
not answer, or answered 5xx) and :class:`ServiceRefused` (a 4xx problem document).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from scelle_common.http.principal import PRINCIPAL_HEADER
from scelle_common.logging import get_logger
from scelle_portal.config import Settings

log = get_logger(__name__)

SERVICE_NAMES = {
    "identity": "le service des comptes",
    "expertise": "le service des expertises",
    "documents": "le coffre-fort des documents",
    "designation": "le service des désignations",
    "billing": "le service de facturation",
    "notification": "le service des notifications",
}


class BackendError(Exception):
    """A call to another service did not give the portal what it asked for."""

    def __init__(self, service: str, message: str) -> None:
        super().__init__(message)
        self.service = service
        self.message = message

    @property
    def service_name(self) -> str:
        return SERVICE_NAMES.get(self.service, self.service)


class ServiceUnavailable(BackendError):
    """No answer, a timeout, or a 5xx: the service is down or failing."""


class ServiceRefused(BackendError):
    """A 4xx answer: the problem document's title and detail (already French) are kept."""

    def __init__(self, service: str, status: int, problem: Mapping[str, Any]) -> None:
        title = str(problem.get("title") or "Demande refusée")
        detail = str(problem.get("detail") or "")
        super().__init__(service, f"{title}. {detail}".strip() if detail else title)
        self.status = status
        self.problem = dict(problem)
        self.title = title
        self.detail = detail
        self.errors = list(problem.get("errors") or [])


class Backends:
    """One HTTP session for the process; one method call per API call."""

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        # Local services are on loopback: never through an HTTP proxy the environment sets.
        self.session.trust_env = False
        self.timeout = (settings.connect_timeout_seconds, settings.read_timeout_seconds)

    def call(self, service: str, method: str, path: str, *, token: str, request_id: str | None = None,
             params: Any = None, json: Any = None, data: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        """JSON of a 2xx answer (None for 204); raises :class:`BackendError`.

        ``data`` is a raw body (a file being deposited, streamed), ``headers`` what it needs
        (``Content-Type``, ``Idempotency-Key``)."""
        response = self.send(service, method, path, token=token, request_id=request_id, params=params, json=json,
                             data=data, headers=headers)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ServiceUnavailable(service, "Réponse illisible de " + SERVICE_NAMES.get(service, service) + ".") from None

    def send(self, service: str, method: str, path: str, *, token: str, request_id: str | None = None,
             params: Any = None, json: Any = None, data: Any = None,
             headers: Mapping[str, str] | None = None, stream: bool = False) -> requests.Response:
        """The 2xx answer itself, for what is not JSON (a CSV export); raises :class:`BackendError`.

        ``stream``: the body is left unread, to be passed on chunk by chunk (a ZIP of documents);
        the caller closes the answer."""
        url = self.settings.service_url(service) + path
        sent = {**(headers or {}), PRINCIPAL_HEADER: token, "Accept": "application/json"}
        if request_id:
            sent["X-Request-Id"] = request_id
        try:
            response = self.session.request(method, url, params=params, json=json, data=data, headers=sent,
                                            timeout=self.timeout, stream=stream)
        except requests.RequestException as exc:
            log.warning("backend.unreachable", service=service, path=path, error=type(exc).__name__)
            raise ServiceUnavailable(service, f"{SERVICE_NAMES.get(service, service).capitalize()} "
                                              "ne répond pas pour le moment.") from None
        if response.status_code >= 500:
            log.warning("backend.failed", service=service, path=path, status=response.status_code)
            raise ServiceUnavailable(service, f"{SERVICE_NAMES.get(service, service).capitalize()} "
                                              "est momentanément indisponible.")
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {}
            if not isinstance(problem, dict):
                problem = {}
            raise ServiceRefused(service, response.status_code, problem)
        return response

    def get(self, service: str, path: str, *, token: str, request_id: str | None = None, params: Any = None) -> Any:
        return self.call(service, "GET", path, token=token, request_id=request_id, params=params)

    def post(self, service: str, path: str, *, token: str, request_id: str | None = None, json: Any = None) -> Any:
        return self.call(service, "POST", path, token=token, request_id=request_id, json=json)
