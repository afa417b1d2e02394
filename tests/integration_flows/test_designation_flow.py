"""A designation across services on the real broker: the magistrat designates, the expert accepts,
the expertise service opens the case with the magistrat *en charge*, the vault builds its folders,
and the designator's notification event is on the bus.

Real apps of designation, expertise and documents, each on its own migrated database, their
consumers and relays running on one bus namespace; the vault on the real S3 server.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pika

from scelle_common.events import new_event, parse_event, serialize_event

from .conftest import Caller, Platform, eventually

REQUEST = b"%PDF-1.7\n% ordonnance de designation " + uuid.uuid4().bytes
NAMING = {"first_applicant": "Poitou", "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
          "rg_number": "22/03700", "record_number": None, "expert_name": "Garnier", "mi_number": None,
          "designation_date": "14-11-2026"}


def probe_queue(platform: Platform, *routing_keys: str) -> str:
    """A queue of our own on the namespace's exchange, standing where the notification service listens."""
    name = platform.namespace.queue("probe", uuid.uuid4().hex[:8])
    connection = pika.BlockingConnection(pika.URLParameters(platform.namespace.broker_url))
    try:
        platform.namespace.topology.declare_queue(connection.channel(), name, list(routing_keys))
    finally:
        connection.close()
    return name


def drain(platform: Platform, queue: str) -> list[Any]:
    connection = pika.BlockingConnection(pika.URLParameters(platform.namespace.broker_url))
    events = []
    try:
        channel = connection.channel()
        while True:
            method, _properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return events
            events.append(parse_event(body))
    finally:
        connection.close()


def announce_dossier_deposit(platform: Platform, designation_id: str, depositor: Caller) -> str:
    """``documents.document_deposited.v1`` for ``designation/<id>/demande``, published on the bus.

    Stands for the vault's deposit until documents serves designation dossiers (see the xfail test
    below, which makes the same deposit through the vault's API).
    """
    document_id = str(uuid.uuid4())
    event = new_event(service="documents", name="documents.document_deposited.v1", subject=document_id, data={
        "expertise_id": None, "designation_id": designation_id, "document_id": document_id, "document_version": 1,
        "folder": {"id": str(uuid.uuid4()), "path": f"designation/{designation_id}/demande",
                   "kind": "designation/*/demande", "label": "Désignation / Demande"},
        "file_name": "Ordonnance.pdf", "size": len(REQUEST), "sha256": hashlib.sha256(REQUEST).hexdigest(),
        "media_type": "application/pdf", "depositor_account_id": depositor.account_id,
        "depositor_role": "magistrat", "cert_fingerprint": None, "deposited_at": "2026-11-20T09:10:00Z",
        "audience": [depositor.account_id], "receipt_id": str(uuid.uuid4())})
    connection = pika.BlockingConnection(pika.URLParameters(platform.namespace.broker_url))
    try:
        connection.channel().basic_publish(
            platform.namespace.topology.exchange, event.name, serialize_event(event),
            pika.BasicProperties(content_type="application/cloudevents+json", delivery_mode=2))
    finally:
        connection.close()
    return document_id


def designate(platform: Platform, magistrat: Caller, expert: Caller) -> str:
    designation = platform.apps["designation"]
    created = magistrat.post(designation, "/v1/designations", json={
        "designator": {"given_name": "François", "surname": "Dupont", "email": "f.dupont@justice.test"},
        "expert": {"account_id": expert.account_id, "given_name": "Hélène", "surname": "Garnier",
                   "email": "h.garnier@experts.test", "court_code": "bordeaux", "specialities": ["E.1.3"]}})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]  # type: ignore[no-any-return]


def test_an_accepted_designation_becomes_an_expertise_with_its_magistrat_en_charge(platform):
    magistrat, expert = platform.caller("magistrat"), platform.caller("expert")
    designation, expertise, documents = (platform.apps[s] for s in ("designation", "expertise", "documents"))
    notifications = probe_queue(platform, "designation.created.v1", "designation.accepted.v1")

    designation_id = designate(platform, magistrat, expert)
    path = f"/v1/designations/{designation_id}"
    announce_dossier_deposit(platform, designation_id, magistrat)
    eventually(lambda: magistrat.get(designation, path).get_json()["document_count"] == 1,
               what="the designation to learn of its request file from the bus")
    assert magistrat.post(designation, f"{path}/sending").status_code == 200
    assert expert.get(designation, "/v1/designations/pending").get_json()["count"] == 1
    accepted = expert.post(designation, f"{path}/acceptance", json=NAMING | {"portalis_number": "DBYK-W-B7C-B45M"})
    assert accepted.status_code == 200, accepted.get_json()

    # The expertise service created the case from designation.accepted.v1 …
    case = eventually(lambda: expert.get(expertise, "/v1/expertises").get_json()["items"],
                      what="the expertise created from the acceptance")[0]
    seen = magistrat.get(expertise, f"/v1/expertises/{case['id']}").get_json()
    assert seen["designation_id"] == designation_id and seen["status"] == "en_creation"
    assert seen["my_role"] == "magistrat" and seen["magistrat_en_charge"] == "François DUPONT"
    assert seen["display_name"] == "POITOU_HARTMANN_TJ BORDEAUX_22/03700_GARNIER_14-11-2026"

    # … the vault built its folders from expertise.created.v1, expert/designation among them …
    folders = eventually(lambda: expert.get(documents, f"/v1/expertises/{case['id']}/folders").get_json()
                         .get("folders"), what="the vault folders of the new case")
    assert "expert/designation" in {folder["path"] for folder in folders}

    # … and the designator's notification event is on the bus (the expert's one on sending too).
    published = eventually(lambda: drain(platform, notifications), what="the notification events")
    by_name = {event.name: event for event in published}
    assert by_name["designation.created.v1"].data["expert_account_id"] == expert.account_id
    assert by_name["designation.accepted.v1"].data["designator_account_id"] == magistrat.account_id
    assert by_name["designation.accepted.v1"].data["request_documents"][0]["sha256"] == \
        hashlib.sha256(REQUEST).hexdigest()


def test_the_designation_files_reach_expert_designation_with_the_same_sha256(platform):
    magistrat, expert = platform.caller("magistrat"), platform.caller("expert")
    designation, expertise, documents = (platform.apps[s] for s in ("designation", "expertise", "documents"))
    designation_id = designate(platform, magistrat, expert)
    path = f"/v1/designations/{designation_id}"

    # The designator deposits into the dossier through the vault's own API.
    dossier = eventually(lambda: magistrat.get(documents, f"/v1/designations/{designation_id}/folders")
                         .get_json().get("folders"), timeout=3, what="the vault's designation dossier")
    request_folder = next(f for f in dossier if f["path"] == f"designation/{designation_id}/demande")
    deposit = documents.test_client().post(
        f"/v1/folders/{request_folder['id']}/documents", query_string={"name": "Ordonnance.pdf"}, data=REQUEST,
        headers=magistrat.headers({"Content-Type": "application/octet-stream"}))
    assert deposit.status_code == 201, deposit.get_json()
    eventually(lambda: magistrat.get(designation, path).get_json()["document_count"] == 1,
               what="the designation to learn of the vault's deposit")
    assert magistrat.post(designation, f"{path}/sending").status_code == 200
    assert expert.post(designation, f"{path}/acceptance", json=NAMING).status_code == 200

    case = eventually(lambda: expert.get(expertise, "/v1/expertises").get_json()["items"],
                      what="the expertise created from the acceptance")[0]

    def filed() -> list[dict[str, Any]] | None:
        folders = expert.get(documents, f"/v1/expertises/{case['id']}/folders").get_json().get("folders") or []
        target = next((f for f in folders if f["path"] == "expert/designation"), None)
        if target is None:
            return None
        return expert.get(documents, f"/v1/folders/{target['id']}/documents").get_json().get("items") or None

    items = eventually(filed, what="the request documents filed into expert/designation")
    assert [item["sha256"] for item in items] == [hashlib.sha256(REQUEST).hexdigest()]
