"""A designation across services on the real broker: the magistrat designates and deposits the
request in the vault's dossier, the expert accepts, the expertise service opens the case with the
magistrat *en charge*, the vault files the request into the case's ``expert/designation`` (same
SHA-256), and the notification events are on the bus; a refusal creates no case.

Real apps of designation, expertise and documents, each on its own migrated database, their
consumers and relays running on one bus namespace; the vault on the real S3 server. No service is
mocked: every event in these flows is published by the service that owns it.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pika

from scelle_common.events import Event, parse_event
from scelle_common.testing.waiting import eventually

from .conftest import Caller, Platform

NAMING = {"first_applicant": "Poitou", "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
          "rg_number": "22/03700", "record_number": None, "expert_name": "Garnier", "mi_number": None,
          "designation_date": "14-11-2026"}


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def probe_queue(platform: Platform, *routing_keys: str) -> str:
    """A queue of our own on the namespace's exchange, where the notification service would listen."""
    name = platform.namespace.queue("probe", uuid.uuid4().hex[:8])
    connection = pika.BlockingConnection(pika.URLParameters(platform.namespace.broker_url))
    try:
        platform.namespace.topology.declare_queue(connection.channel(), name, list(routing_keys))
    finally:
        connection.close()
    return name


def drain(platform: Platform, queue: str) -> list[Event]:
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


def designate(platform: Platform, magistrat: Caller, expert: Caller) -> str:
    created = magistrat.post(platform.apps["designation"], "/v1/designations", json={
        "designator": {"given_name": "François", "surname": "Dupont", "email": "f.dupont@justice.test"},
        "expert": {"account_id": expert.account_id, "given_name": "Hélène", "surname": "Garnier",
                   "email": "h.garnier@experts.test", "court_code": "bordeaux", "specialities": ["E.1.3"]}})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]  # type: ignore[no-any-return]


def dossier_folder(platform: Platform, caller: Caller, designation_id: str, part: str) -> dict[str, Any]:
    """The vault's folder ``designation/<id>/<part>``, once the vault has opened the dossier."""
    documents = platform.apps["documents"]
    folders = eventually(lambda: caller.get(documents, f"/v1/designations/{designation_id}/folders")
                         .get_json().get("folders"), what="the vault's designation dossier")
    return next(f for f in folders if f["path"] == f"designation/{designation_id}/{part}")


def deposit(platform: Platform, caller: Caller, folder: dict[str, Any], name: str, content: bytes) -> Any:
    return platform.apps["documents"].test_client().post(
        f"/v1/folders/{folder['id']}/documents", query_string={"name": name}, data=content,
        headers=caller.headers({"Content-Type": "application/octet-stream"}))


def test_an_accepted_designation_becomes_a_case_with_its_magistrat_en_charge_and_its_files(platform):
    magistrat, expert = platform.caller("magistrat"), platform.caller("expert")
    designation, expertise, documents = (platform.apps[s] for s in ("designation", "expertise", "documents"))
    notifications = probe_queue(platform, "designation.created.v1", "designation.accepted.v1")
    request = b"%PDF-1.7\n% ordonnance de designation " + uuid.uuid4().bytes

    designation_id = designate(platform, magistrat, expert)
    path = f"/v1/designations/{designation_id}"
    # Nothing in the dossier yet: envoyer names what is missing.
    assert magistrat.post(designation, f"{path}/sending").get_json()["missing"] == ["documents"]

    # The magistrat deposits the request through the vault; the designation hears of it from the bus.
    stored = deposit(platform, magistrat, dossier_folder(platform, magistrat, designation_id, "demande"),
                     "Ordonnance.pdf", request)
    assert stored.status_code == 201, stored.get_json()
    eventually(lambda: magistrat.get(designation, path).get_json()["document_count"] == 1,
               what="the designation to learn of the vault's deposit")
    assert magistrat.post(designation, f"{path}/sending").status_code == 200
    assert expert.get(designation, "/v1/designations/pending").get_json()["count"] == 1
    accepted = expert.post(designation, f"{path}/acceptance", json=NAMING | {"portalis_number": "DBYK-W-B7C-B45M"})
    assert accepted.status_code == 200, accepted.get_json()

    # The expertise service created the case from designation.accepted.v1, the magistrat en charge …
    case = eventually(lambda: expert.get(expertise, "/v1/expertises").get_json()["items"],
                      what="the expertise created from the acceptance")[0]
    seen = magistrat.get(expertise, f"/v1/expertises/{case['id']}").get_json()
    assert seen["designation_id"] == designation_id and seen["status"] == "en_creation"
    assert seen["my_role"] == "magistrat" and seen["magistrat_en_charge"] == "François DUPONT"
    assert seen["display_name"] == "POITOU_HARTMANN_TJ BORDEAUX_22/03700_GARNIER_14-11-2026"

    # … the vault filed the request into the case's expert/designation, same bytes, same SHA-256 …
    def filed() -> list[dict[str, Any]] | None:
        folders = expert.get(documents, f"/v1/expertises/{case['id']}/folders").get_json().get("folders") or []
        target = next((f for f in folders if f["path"] == "expert/designation"), None)
        if target is None:
            return None
        return expert.get(documents, f"/v1/folders/{target['id']}/documents").get_json().get("items") or None

    [item] = eventually(filed, what="the request documents filed into expert/designation")
    assert item["sha256"] == sha256(request) == stored.get_json()["sha256"]
    download = documents.test_client().get(f"/v1/documents/{item['id']}/content", headers=expert.headers())
    assert download.status_code == 200 and sha256(download.get_data()) == sha256(request)

    # … and the notification events are on the bus: the expert's on sending, the designator's on acceptance.
    published = {event.name: event for event in
                 eventually(lambda: drain(platform, notifications), what="the notification events")}
    assert published["designation.created.v1"].data["expert_account_id"] == expert.account_id
    told = published["designation.accepted.v1"].data
    assert told["designator_account_id"] == magistrat.account_id and told["designator_profile"] == "magistrat"
    assert [d["sha256"] for d in told["request_documents"]] == [sha256(request)]


def test_a_refused_designation_creates_no_case_and_the_designator_gets_the_justification(platform):
    magistrat, expert = platform.caller("magistrat"), platform.caller("expert")
    designation, expertise = platform.apps["designation"], platform.apps["expertise"]
    notifications = probe_queue(platform, "designation.refused.v1")
    designation_id = designate(platform, magistrat, expert)
    path = f"/v1/designations/{designation_id}"
    request_folder = dossier_folder(platform, magistrat, designation_id, "demande")
    assert deposit(platform, magistrat, request_folder, "Ordonnance.pdf", b"%PDF-1.7 ordonnance").status_code == 201
    eventually(lambda: magistrat.get(designation, path).get_json()["document_count"] == 1,
               what="the request file")
    assert magistrat.post(designation, f"{path}/sending").status_code == 200

    # Refusing needs a justification file, deposited by the expert in the response folder of the vault.
    assert expert.post(designation, f"{path}/refusal", json={"justification": "Conflit"}).status_code == 422
    motive = b"%PDF-1.7 motif du refus " + uuid.uuid4().bytes
    response_folder = eventually(lambda: dossier_folder(platform, expert, designation_id, "reponse"),
                                 what="the expert's view of the dossier")
    stored = eventually(lambda: (r := deposit(platform, expert, response_folder, "Motif.pdf", motive))
                        .status_code == 201 and r, what="the expert's deposit once the dossier is sent")
    eventually(lambda: len(expert.get(designation, path).get_json()["documents"]["reponse"]) == 1,
               what="the justification file")
    refused = expert.post(designation, f"{path}/refusal", json={"justification": "Conflit d'intérêts"})
    assert refused.status_code == 200 and refused.get_json()["status_label"] == "Rejetée"

    [told] = eventually(lambda: drain(platform, notifications), what="the refusal on the bus")
    assert told.data["designator_account_id"] == magistrat.account_id
    assert [d["sha256"] for d in told.data["response_documents"]] == [stored.get_json()["sha256"]]
    # The dossier is closed in the vault, and no case exists.
    documents = platform.apps["documents"]
    eventually(lambda: magistrat.get(documents, f"/v1/designations/{designation_id}/folders").get_json()
               .get("status") == "refusee", what="the vault to close the dossier")
    assert not dossier_folder(platform, magistrat, designation_id, "demande")["may_deposit"]
    assert deposit(platform, magistrat, request_folder, "Tard.pdf", b"%PDF-1.7 tard").status_code != 201
    assert expert.get(expertise, "/v1/expertises").get_json()["items"] == []
