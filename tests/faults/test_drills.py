"""Fault drills: a part of the platform fails mid-journey; once it is back the journey completes,
nothing lost and nothing duplicated.

Each drill breaks one private part of the shared drill platform (``conftest.py``) and restores it
whatever happens. "Completes" means the downstream effect arrives (a case created from an accepted
designation, its files filed in the vault, a deposit listed with its receipt, a digest in a
mailbox); "nothing duplicated" is counted in the services' own tables (rows, inbox entries, mails),
after a pause that would let a duplicate show.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import ssl
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from scelle_common.messaging import connect

from .conftest import DOCUMENTS_PREFETCH, Drill, User, eventually, outage

# One platform start for the module, then five drills.
pytestmark = pytest.mark.timeout(600)

PROBLEM = "application/problem+json"
# Long enough for a redelivered or republished event to have been applied a second time.
SETTLE_SECONDS = 1.5
DIGEST_SUBJECT = "[Scellé] Compte rendu d'activité"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_rabbitmq_stopped_mid_journey_the_apis_go_on_and_every_effect_arrives_once_it_is_back(drill: Drill):
    designation_id, request = drill.sent_designation()

    with outage(drill.broker):
        # The APIs keep answering: what they publish waits in their outboxes.
        assert drill.accept(designation_id).status_code == 200
        second = drill.designate()
        time.sleep(1)
        assert drill.unsent("designation") >= 2
        assert drill.expertise_of(designation_id) is None

    # Relays and consumers reconnect by themselves: the case is created, its request filed, the
    # second designation's dossier opened, the designator told.
    expertise_id = eventually(lambda: drill.expertise_of(designation_id), what="the case from the acceptance")
    [filed] = eventually(lambda: drill.folder_items(expertise_id, "expert/designation"),
                         what="the request filed into the case")
    assert filed["sha256"] == sha256(request)
    drill.dossier_folder(drill.magistrat, second, "demande")
    [accepted] = drill.event_ids("designation", "designation.accepted.v1", designation_id)
    [mail] = eventually(lambda: [m for m in drill.mails_caused_by(accepted) if m.status == "sent"],
                        what="the designator's mail")
    eventually(lambda: not any(drill.unsent(s) for s in ("designation", "expertise", "documents", "notification")),
               what="every outbox published")

    time.sleep(SETTLE_SECONDS)
    assert [drill.applied(service, accepted) for service in ("expertise", "documents", "notification")] == [1, 1, 1]
    assert drill.scalar("expertise", "SELECT count(*) FROM expertises WHERE designation_id = :d", d=designation_id) == 1
    assert len(drill.folder_items(expertise_id, "expert/designation") or []) == 1
    assert len(drill.mails_caused_by(accepted)) == 1 and drill.received(mail.message_id) == 1
    assert drill.dead_letters() == {}


def documents_queue(drill: Drill) -> str:
    return f"{drill.platform.queue_prefix}documents.designations"


def ready_messages(drill: Drill, queue: str) -> int:
    connection = connect(drill.platform.broker_url, name="drill-depth")
    try:
        return int(connection.channel().queue_declare(queue, passive=True).method.message_count)
    finally:
        connection.close()


def test_a_consumer_killed_while_it_holds_a_batch_applies_every_event_once_after_its_restart(drill: Drill):
    consumer = drill.platform.process("documents-consumer")
    queue = documents_queue(drill)
    count = 3 * DOCUMENTS_PREFETCH
    consumer.kill()
    try:
        # Work piles up for the vault: one dossier to open per designation.
        designations = [drill.designate() for _ in range(count)]
        eventually(lambda: ready_messages(drill, queue) >= count, what="the events queued for the vault")
        consumer.start()
        # The moment it holds its first batch (no longer ready, not acknowledged), kill it.
        eventually(lambda: ready_messages(drill, queue) < count, timeout=30, interval=0.02,
                   what="the consumer to take a batch")
        consumer.kill()
        opened_before_restart = drill.scalar(
            "documents", "SELECT count(*) FROM vault_designations WHERE id = ANY(:ids)", ids=designations)
    finally:
        if not consumer.running:
            consumer.start()

    assert opened_before_restart < count, "the consumer finished before the kill: the drill redelivered nothing"
    eventually(lambda: drill.scalar("documents", "SELECT count(*) FROM vault_designations WHERE id = ANY(:ids)",
                                    ids=designations) == count, what="every dossier opened")
    time.sleep(SETTLE_SECONDS)
    folders = drill.rows("documents", "SELECT designation_id, count(*) AS folders FROM folders "
                                      "WHERE designation_id = ANY(:ids) GROUP BY designation_id", ids=designations)
    assert sorted(row.folders for row in folders) == [2] * count
    events = [event_id for designation in designations
              for event_id in drill.event_ids("designation", "designation.drafted.v1", designation)]
    assert len(events) == count
    applied = drill.rows("documents", "SELECT event_id, count(*) AS times FROM inbox WHERE event_id = ANY(:ids) "
                                      "GROUP BY event_id", ids=events)
    assert sorted(row.times for row in applied) == [1] * count
    assert drill.dead_letters() == {}


def test_postgresql_of_one_service_restarted_that_api_answers_503_the_others_go_on_and_it_catches_up(
    drill: Drill,
):
    designation_id, request = drill.sent_designation()
    expertise_processes = [drill.platform.process(f"expertise-{kind}") for kind in ("api", "relay", "consumer")]
    pids = [process.pid for process in expertise_processes]

    with outage(drill.postgres):
        down = drill.expert.get("/api/expertise/v1/expertises")
        assert (down.status_code, down.headers["Content-Type"]) == (503, PROBLEM), down.text
        assert down.json()["type"] == "/problems/database-unavailable"
        # The other services do not depend on expertise's database: the journey goes on.
        assert drill.magistrat.get(f"/api/designation/v1/designations/{designation_id}").status_code == 200
        assert drill.accept(designation_id).status_code == 200
        eventually(lambda: drill.unsent("designation") == 0, what="the acceptance published")
        # The expertise consumer holds the event it cannot apply; it must not give it up.
        time.sleep(2)
        assert drill.dead_letters() == {}

    # No process was restarted: the pools reconnect, the consumer applies what it held.
    expertise_id = eventually(lambda: drill.expertise_of(designation_id), what="the case once the database is back")
    case = eventually(lambda: (r := drill.expert.get(f"/api/expertise/v1/expertises/{expertise_id}"))
                      .status_code == 200 and r.json(), what="the expertise API answering again")
    assert case["designation_id"] == designation_id
    [filed] = eventually(lambda: drill.folder_items(expertise_id, "expert/designation"),
                         what="the request filed once expertise.created is published")
    assert filed["sha256"] == sha256(request)
    assert [process.pid for process in expertise_processes] == pids
    assert all(process.running for process in expertise_processes)

    time.sleep(SETTLE_SECONDS)
    [accepted] = drill.event_ids("designation", "designation.accepted.v1", designation_id)
    [created] = drill.event_ids("expertise", "expertise.created.v1", expertise_id)
    assert drill.applied("expertise", accepted) == 1
    assert drill.applied("documents", created) == 1
    assert drill.unsent("expertise") == 0
    assert drill.dead_letters() == {}


def interrupted_deposit(drill: Drill, user: User, folder_id: str, name: str, content: bytes, key: str,
                        midway: Callable[[], None]) -> tuple[int, str, dict[str, Any]]:
    """A deposit streamed through the gateway in two halves, ``midway`` running between them."""
    context = ssl.create_default_context(cafile=drill.platform.pki.server_ca)
    context.load_cert_chain(*drill.platform.pki.cert(user.name))
    target = urlsplit(drill.platform.url(f"/api/documents/v1/folders/{folder_id}/documents"))
    connection = http.client.HTTPSConnection(target.hostname, target.port, context=context, timeout=120)
    try:
        connection.putrequest("POST", f"{target.path}?{urlencode({'name': name})}")
        for header, value in (("Content-Type", "application/octet-stream"), ("Content-Length", str(len(content))),
                              ("Idempotency-Key", key)):
            connection.putheader(header, value)
        connection.endheaders()
        half = len(content) // 2
        connection.send(content[:half])
        time.sleep(0.5)  # the vault has opened its multipart upload and waits for the rest
        midway()
        try:
            connection.send(content[half:])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the vault answered before reading the rest (S3 gone before its upload began)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), json.loads(response.read())
    finally:
        connection.close()


def test_s3_stopped_during_a_deposit_it_fails_cleanly_and_the_same_deposit_succeeds_once_s3_is_back(
    drill: Drill,
):
    designation_id = drill.designate()
    folder = drill.dossier_folder(drill.magistrat, designation_id, "demande")
    content = b"%PDF-1.7\n% ordonnance " + os.urandom(512 * 1024)
    key = str(uuid.uuid4())
    target = f"folder:{folder['id']}"

    def audited(*targets: str) -> list[tuple[str, str]]:
        return [(row.target, row.outcome) for row in drill.rows(
            "documents", "SELECT target, outcome FROM audit_log WHERE action = 'documents.deposit' "
                         "AND target = ANY(:targets) ORDER BY seq", targets=list(targets))]

    objects_before = drill.stored_objects()
    try:
        status, content_type, problem = interrupted_deposit(drill, drill.magistrat, folder["id"], "Ordonnance.pdf",
                                                            content, key, midway=drill.s3.stop)
        assert (status, content_type, problem["type"]) == (503, PROBLEM, "/problems/storage-unavailable"), problem
        # Nothing half-registered: no row, nothing listed, the failure audited.
        assert drill.scalar("documents", "SELECT count(*) FROM documents WHERE folder_id = :f", f=folder["id"]) == 0
        assert drill.magistrat.get(f"/api/documents/v1/folders/{folder['id']}/documents").json()["items"] == []
        assert audited(target) == [(target, "failed")]
    finally:
        if not drill.s3.running:
            drill.s3.start()

    assert drill.stored_objects() == objects_before
    retried = drill.deposit(drill.magistrat, folder["id"], "Ordonnance.pdf", content, idempotency_key=key)
    assert retried.status_code == 201, retried.text
    document = retried.json()
    assert document["sha256"] == sha256(content) and document["receipt"]
    # The client, unsure, retries once more with the same key: the same document, not a second one.
    again = drill.deposit(drill.magistrat, folder["id"], "Ordonnance.pdf", content, idempotency_key=key)
    assert again.json()["id"] == document["id"]

    [listed] = drill.magistrat.get(f"/api/documents/v1/folders/{folder['id']}/documents").json()["items"]
    assert (listed["id"], listed["sha256"]) == (document["id"], document["sha256"])
    assert [row.version for row in drill.rows("documents", "SELECT version FROM documents WHERE folder_id = :f",
                                              f=folder["id"])] == [1]
    assert drill.stored_objects() == objects_before + 1
    stored = f"document:{document['id']}"
    assert audited(target, stored) == [(target, "failed"), (stored, "allowed")]
    drill.platform.cli("documents", "verify-audit")


def test_smtp_down_during_a_digest_every_digest_is_delivered_once_when_it_is_back(drill: Drill):
    designation_id, _request = drill.sent_designation()
    assert drill.accept(designation_id).status_code == 200
    expertise_id = eventually(lambda: drill.expertise_of(designation_id), what="the case")

    def magistrat_folder() -> dict[str, Any] | None:
        response = drill.magistrat.get(f"/api/documents/v1/expertises/{expertise_id}/folders")
        folders = response.json().get("folders") or [] if response.status_code == 200 else []
        return next((f for f in folders if f["path"] == "magistrat/magistrat-vers-expert" and f["may_deposit"]), None)

    folder = eventually(magistrat_folder, what="the magistrat's folder of the case")
    note = f"Note {uuid.uuid4().hex[:6]}.pdf"
    deposited = drill.deposit(drill.magistrat, folder["id"], note, b"%PDF-1.7 note au technicien")
    assert deposited.status_code == 201, deposited.text
    [event] = drill.event_ids("documents", "documents.document_deposited.v1", deposited.json()["id"])
    eventually(lambda: drill.applied("notification", event) == 1, what="the deposit in the digest's record")
    until = datetime.now(UTC).isoformat()

    with outage(drill.smtp):
        report = json.loads(drill.platform.cli("notification", "digest", "--until", until).stdout)
        assert report["queued"] >= 1
        # The sender tries, fails, and keeps every digest for later.
        eventually(lambda: all(row.attempts >= 1 for row in digests(drill)), what="the sender to try and fail")
        assert {row.status for row in digests(drill)} == {"pending"}
        assert len(digests(drill)) == report["queued"]
        assert digest_mails(drill) == []

    sent = eventually(lambda: (rows := digests(drill)) and all(row.status == "sent" for row in rows) and rows,
                      what="every digest sent once SMTP is back")
    # The same run again finds nothing new: no second digest.
    assert json.loads(drill.platform.cli("notification", "digest", "--until", until).stdout)["queued"] == 0
    time.sleep(SETTLE_SECONDS)
    received = digest_mails(drill)
    assert len(received) == len(sent) == report["queued"]
    assert sorted(mail.message["Message-ID"] for mail in received) == sorted(row.message_id for row in sent)
    recipients = [address for mail in received for address in mail.recipients]
    assert len(recipients) == len(set(recipients))
    [to_expert] = [mail for mail in received if drill.expert.account["email"] in mail.recipients]
    assert note in to_expert.message.get_body(("plain",)).get_content()


def digests(drill: Drill) -> list[Any]:
    return drill.rows("notification", "SELECT id, status, attempts, message_id FROM emails WHERE kind = 'digest'")


def digest_mails(drill: Drill) -> list[Any]:
    return [mail for mail in drill.smtp.messages() if mail.message["Subject"] == DIGEST_SUBJECT]

