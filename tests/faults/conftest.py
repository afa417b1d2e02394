"""One private platform for every fault drill, on parts the drills may break.

The platform (``tests/platform``) runs every service as real processes, with its broker on a private
RabbitMQ node, expertise's database on a private PostgreSQL cluster (the other services' on a
second one), the vault on a private SeaweedFS and mail through an SMTP capture the drills stop and
start again. The shared servers other tests and CI use are never touched. Each drill restores what it broke (:func:`outage`), so
the drills may run in any order on the same platform; starting it once keeps the suite short.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import boto3
import pytest
import requests
from sqlalchemy import Engine, create_engine, text

from scelle_common.messaging import connect
from scelle_common.messaging.topology import Topology
from scelle_common.testing.plugin import private_server
from scelle_common.testing.postgres import PrivatePostgres
from scelle_common.testing.rabbitmq import PrivateRabbitMQ
from scelle_common.testing.seaweedfs import PrivateS3
from scelle_common.testing.smtp import SmtpCapture
from scelle_common.testing.waiting import eventually as wait_for
from tests.e2e.harness import dev_pki
from tests.platform.harness import Platform, read_services, running_platform


# The service whose database lives on the private cluster the PostgreSQL drill restarts.
SERVICE_ON_PRIVATE_POSTGRES = "expertise"
# The vault's consumer takes this many deliveries at a time: the consumer drill queues several
# batches' worth and kills it while it holds the first.
DOCUMENTS_PREFETCH = 10
DRILL_ENVIRONMENT = {
    # Production waits 30 s before retrying a mail; the drill waits for the retry, not for that backoff.
    "NOTIFICATION_RETRY_FIRST_SECONDS": "1",
    "NOTIFICATION_RETRY_LONGEST_SECONDS": "2",
    "NOTIFICATION_SEND_IDLE_SECONDS": "0.5",
    "DOCUMENTS_CONSUMER_PREFETCH": str(DOCUMENTS_PREFETCH),
}
NAMING = {"first_applicant": "Poitou", "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
          "rg_number": "22/03700", "record_number": None, "expert_name": "Garnier", "mi_number": None,
          "designation_date": "14-11-2026"}


class Restartable(Protocol):
    def stop(self) -> None: ...

    def start(self) -> Any: ...


# The drills wait longer than the other suites: a restarted part needs seconds to come back.
eventually = partial(wait_for, timeout=60.0, interval=0.3)


@contextmanager
def outage(server: Restartable) -> Iterator[None]:
    """``server`` is down for the body of the ``with``, and up again after it, whatever happened."""
    server.stop()
    try:
        yield
    finally:
        server.start()


@dataclass
class User:
    """A demo identity of the dev PKI calling the platform through the gateway with its certificate."""

    platform: Platform
    name: str
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        me = self.get("/api/identity/v1/accounts/me")
        assert me.status_code == 200, me.text
        self.account_id: str = me.json()["id"]
        self.account = me.json()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.platform.url(path), timeout=30, **self._tls(), **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(self.platform.url(path), timeout=60, **self._tls(), **kwargs)

    def _tls(self) -> dict[str, Any]:
        # Per request: a session's own verify loses to REQUESTS_CA_BUNDLE when the environment sets it.
        return {"cert": self.platform.pki.cert(self.name), "verify": self.platform.pki.server_ca}


@dataclass
class Drill:
    """The platform and the private parts the drills break."""

    platform: Platform
    broker: PrivateRabbitMQ
    postgres: PrivatePostgres
    s3: PrivateS3
    smtp: SmtpCapture
    magistrat: User
    expert: User
    _engines: dict[str, Engine] = field(default_factory=dict)

    def database(self, service: str) -> Engine:
        if service not in self._engines:
            self._engines[service] = create_engine(self.platform.database_urls[service], pool_pre_ping=True)
        return self._engines[service]

    def scalar(self, service: str, sql: str, **params: Any) -> Any:
        with self.database(service).connect() as connection:
            return connection.execute(text(sql), params).scalar_one()

    def rows(self, service: str, sql: str, **params: Any) -> list[Any]:
        with self.database(service).connect() as connection:
            return list(connection.execute(text(sql), params))

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        for user in (self.magistrat, self.expert):
            user.session.close()

    # -- the bus --------------------------------------------------------------------------------

    def dead_letters(self) -> dict[str, int]:
        """Messages in every consumer queue's DLQ, by queue (empty: nothing was given up)."""
        connection = connect(self.platform.broker_url, name="drill-dead-letters")
        try:
            channel = connection.channel()
            depths = {}
            for service, purpose in self.platform.queues():
                queue = Topology.dead_letter_queue(f"{self.platform.queue_prefix}{service}.{purpose}")
                depths[queue] = channel.queue_declare(queue, passive=True).method.message_count
            return {queue: depth for queue, depth in depths.items() if depth}
        finally:
            connection.close()

    def unsent(self, service: str) -> int:
        """Outbox rows of ``service`` the relay has not published yet."""
        return int(self.scalar(service, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"))

    def event_ids(self, service: str, event_name: str, subject: str) -> list[str]:
        """Ids of the events ``service`` wrote to its outbox about ``subject``."""
        return [row.event_id for row in self.rows(
            service, "SELECT event_id, body FROM outbox WHERE event_name = :name ORDER BY position",
            name=event_name) if json.loads(row.body).get("subject") == subject]

    def applied(self, service: str, event_id: str) -> int:
        """How many times ``service``'s consumers recorded ``event_id`` in their inbox."""
        return int(self.scalar(service, "SELECT count(*) FROM inbox WHERE event_id = :id", id=event_id))

    # -- a short journey -------------------------------------------------------------------------

    def designate(self) -> str:
        """A designation of the demo expert by the demo magistrat (a draft: not sent yet)."""
        expert = self.expert.account
        created = self.magistrat.post("/api/designation/v1/designations", json={
            "designator": {"given_name": "Camille", "surname": "Rousseau", "email": self.magistrat.account["email"]},
            "expert": {"account_id": self.expert.account_id, "given_name": expert["given_name"],
                       "surname": expert["surname"], "email": expert["email"]}})
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    def dossier_folder(self, user: User, designation_id: str, part: str) -> dict[str, Any]:
        """The vault's folder ``designation/<id>/<part>``, once the vault has opened the dossier."""
        def folders() -> list[dict[str, Any]] | None:
            response = user.get(f"/api/documents/v1/designations/{designation_id}/folders")
            return response.json().get("folders") if response.status_code == 200 else None

        found = eventually(folders, what=f"the vault's dossier of designation {designation_id}")
        return next(folder for folder in found if folder["path"] == f"designation/{designation_id}/{part}")

    def deposit(self, user: User, folder_id: str, name: str, content: bytes,
                idempotency_key: str | None = None) -> requests.Response:
        headers = {"Content-Type": "application/octet-stream"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return user.post(f"/api/documents/v1/folders/{folder_id}/documents", params={"name": name},
                         data=content, headers=headers)

    def sent_designation(self) -> tuple[str, bytes]:
        """A designation sent to the expert with its request file: (its id, the file's bytes)."""
        designation_id = self.designate()
        request = b"%PDF-1.7\n% ordonnance de designation " + uuid.uuid4().bytes
        folder = self.dossier_folder(self.magistrat, designation_id, "demande")
        stored = self.deposit(self.magistrat, folder["id"], "Ordonnance.pdf", request)
        assert stored.status_code == 201, stored.text
        path = f"/api/designation/v1/designations/{designation_id}"
        eventually(lambda: self.magistrat.get(path).json().get("document_count") == 1,
                   what="the designation to learn of the vault's deposit")
        sent = self.magistrat.post(f"{path}/sending")
        assert sent.status_code == 200, sent.text
        return designation_id, request

    def accept(self, designation_id: str) -> requests.Response:
        return self.expert.post(f"/api/designation/v1/designations/{designation_id}/acceptance", json=NAMING)

    def expertise_of(self, designation_id: str) -> str | None:
        """The id of the case the expertise service created from ``designation_id``, once it has."""
        rows = self.rows("expertise", "SELECT id FROM expertises WHERE designation_id = :d", d=designation_id)
        return str(rows[0].id) if rows else None

    def mails_caused_by(self, event_id: str) -> list[Any]:
        """The notification service's mails (queued or sent) caused by ``event_id``."""
        return self.rows("notification", "SELECT id, kind, status, message_id FROM emails "
                                         "WHERE cause_event_id = :id", id=event_id)

    def stored_objects(self) -> int:
        """Objects in every bucket of the vault's S3 server (an upload that failed leaves none)."""
        s3 = boto3.session.Session().client(
            "s3", endpoint_url=self.s3.endpoint.url, aws_access_key_id=self.s3.access_key,
            aws_secret_access_key=self.s3.secret_key, region_name=self.s3.endpoint.region)
        try:
            return sum(page.get("KeyCount", 0) for bucket in s3.list_buckets()["Buckets"]
                       for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]))
        finally:
            s3.close()

    def received(self, message_id: str) -> int:
        """How many copies of the mail ``message_id`` reached the SMTP server."""
        return sum(1 for mail in self.smtp.messages() if mail.message["Message-ID"] == message_id)

    def folder_items(self, expertise_id: str, path: str) -> list[dict[str, Any]] | None:
        """The documents of the case's folder ``path`` the expert sees, once the vault knows the case."""
        response = self.expert.get(f"/api/documents/v1/expertises/{expertise_id}/folders")
        if response.status_code != 200:
            return None
        target = next((f for f in response.json().get("folders") or [] if f["path"] == path), None)
        if target is None:
            return None
        return self.expert.get(f"/api/documents/v1/folders/{target['id']}/documents").json().get("items") or None


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory, database_factory) -> Iterator[Drill]:  # noqa: ANN001
    pki = dev_pki(tmp_path_factory.mktemp("drill-pki") / "pki")
    started = contextmanager(private_server)
    with pytest.MonkeyPatch.context() as environment, ExitStack() as stack:
        for name, value in DRILL_ENVIRONMENT.items():
            environment.setenv(name, value)
        broker = stack.enter_context(started(PrivateRabbitMQ))
        postgres = stack.enter_context(started(PrivatePostgres))
        # The other services' databases on a second private cluster: a whole platform holds some
        # fifty connections, which the shared server (CI's, other test runs') is not there to give.
        other_databases = stack.enter_context(started(PrivatePostgres))
        s3 = stack.enter_context(started(PrivateS3))
        smtp = SmtpCapture().start()
        stack.callback(smtp.stop)
        database_urls = {line.name: (postgres if line.name == SERVICE_ON_PRIVATE_POSTGRES else other_databases)
                         .create_database(f"drill_{line.name}") for line in read_services() if "migrate" in line.uses}
        platform = stack.enter_context(running_platform(
            tmp_path_factory.mktemp("drill-platform"), pki=pki, database_factory=database_factory,
            broker_url=broker.url, s3=s3.endpoint, smtp_host=smtp.host, smtp_port=smtp.port,
            database_urls=database_urls))
        drill = Drill(platform, broker, postgres, s3, smtp,
                      magistrat=User(platform, "magistrat"), expert=User(platform, "expert"))
        stack.callback(drill.close)
        yield drill
