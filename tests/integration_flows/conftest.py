"""Several real services on one broker: each on its own migrated database, their consumers and
relays running in threads on a shared ``bus_namespace`` (the namespace's exchange and queue
prefix go into every service's settings), the vault on the real S3 server.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import ROOT

class Running:
    """Background loops (relays, consumers) stopped together at the end of a test."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self, loop: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=loop, args=(self.stop,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def halt(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


@dataclass
class Caller:
    """Someone calling one service's API with a principal token of their own."""

    signer: Any
    account_id: str
    profile: str

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"X-Scelle-Principal": self.signer.sign(account_id=self.account_id, profile=self.profile),
                **(extra or {})}

    def get(self, app: Any, path: str, **kwargs: Any) -> Any:
        return app.test_client().get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, app: Any, path: str, json: Any = None, **kwargs: Any) -> Any:
        return app.test_client().post(path, json=json, headers=self.headers(kwargs.pop("headers", None)), **kwargs)


@dataclass
class Platform:
    """The real apps and runtimes of the services under test, sharing one bus namespace."""

    namespace: Any
    signer: Any
    apps: dict[str, Any] = field(default_factory=dict)

    def caller(self, profile: str) -> Caller:
        return Caller(self.signer, str(uuid.uuid4()), profile)

    def runtime(self, service: str) -> Any:
        return self.apps[service].extensions["scelle_runtime"]


@pytest.fixture
def platform(database_factory, bus_namespace, principal_signer, s3_endpoint) -> Iterator[Platform]:  # noqa: ANN001
    """designation, expertise and documents — real apps, consumers and relays on one namespace."""
    from scelle_designation.config import Settings as DesignationSettings
    from scelle_designation.entrypoints.consumer import CONSUMERS as DESIGNATION_CONSUMERS
    from scelle_designation.entrypoints.flask_app import create_app as designation_app
    from scelle_documents.config import Settings as DocumentsSettings
    from scelle_documents.domain.receipts import new_private_jwk
    from scelle_documents.entrypoints.consumer import CONSUMERS as DOCUMENTS_CONSUMERS
    from scelle_documents.entrypoints.flask_app import create_app as documents_app
    from scelle_expertise.config import Settings as ExpertiseSettings
    from scelle_expertise.entrypoints.consumer import CONSUMERS as EXPERTISE_CONSUMERS
    from scelle_expertise.entrypoints.flask_app import create_app as expertise_app

    topology = bus_namespace.topology
    common = {"broker_url": bus_namespace.broker_url, "jwks": principal_signer.jwks,
              "events_exchange": topology.exchange, "queue_prefix": topology.queue_prefix,
              "delivery_limit": topology.delivery_limit, "relay_idle_seconds": 0.2}
    platform = Platform(bus_namespace, principal_signer)
    platform.apps["designation"] = designation_app(DesignationSettings(
        database_url=database_factory(ROOT / "services/designation/migrations", hint="flow_designation"), **common))
    platform.apps["expertise"] = expertise_app(ExpertiseSettings(
        database_url=database_factory(ROOT / "services/expertise/migrations", hint="flow_expertise"), **common))
    platform.apps["documents"] = documents_app(DocumentsSettings(
        database_url=database_factory(ROOT / "services/documents/migrations", hint="flow_documents"),
        s3_endpoint_url=s3_endpoint.url, s3_access_key=s3_endpoint.access_key,
        s3_secret_key=s3_endpoint.secret_key, s3_region=s3_endpoint.region,
        s3_bucket=f"flow-{uuid.uuid4().hex[:10]}", receipt_key=json.dumps(new_private_jwk()), **common))

    running = Running()
    consumers = [(service, purpose, handlers)
                 for service, table in (("designation", DESIGNATION_CONSUMERS), ("expertise", EXPERTISE_CONSUMERS),
                                        ("documents", DOCUMENTS_CONSUMERS))
                 for purpose, handlers in table.items()]
    for service, purpose, handlers in consumers:
        bus_namespace.queue(service, purpose)  # remembered for cleaning
        consumer = platform.runtime(service).consumer(purpose, handlers)
        consumer.declare()  # bound before any relay publishes: nothing is returned unroutable
        running.start(consumer.run)
    for service in platform.apps:
        running.start(platform.runtime(service).relay().run)
    try:
        yield platform
    finally:
        running.halt()
        for app in platform.apps.values():
            app.extensions["scelle_runtime"].close()
