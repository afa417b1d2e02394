"""The events the expertise service consumes: designations, account merges, invitations, documents."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from scelle_common.events import new_event, serialize_event
from scelle_common.messaging import Consumer, Outcome
from scelle_expertise.bootstrap import build_runtime
from scelle_expertise.entrypoints.consumer import CONSUMERS

from .conftest import create_expertise, outbox_events


@pytest.fixture
def runtime(settings):  # noqa: ANN001
    built = build_runtime(settings)
    yield built
    built.close()


def consumer(runtime, purpose: str) -> Consumer:  # noqa: ANN001
    return runtime.consumer(purpose, CONSUMERS[purpose])


def accepted(designation_id: str, expert: str, designator_id: str, **data: Any) -> bytes:
    payload = {
        "designation_id": designation_id, "designation_version": 3,
        "expert_account_id": expert,
        "expert": {"given_name": "Jeanne", "surname": "Durand", "email": "j.durand@experts.test"},
        "designator": {"account_id": designator_id, "profile": "magistrat", "given_name": "François",
                       "surname": "Dupont"},
        "naming": {"first_applicant": "Poitou", "first_defender": "Hartmann", "jurisdiction": "TJ Bordeaux",
                   "rg_number": f"24/{uuid.uuid4().int % 100000:05d}", "expert_name": "Durand",
                   "designation_date": "14-03-2024"},
        "accepted_at": "2026-11-20T10:00:00Z",
    } | data
    event = new_event(service="designation", name="designation.accepted.v1", subject=designation_id, data=payload)
    return serialize_event(event)


def test_the_same_designation_accepted_twice_creates_one_expertise(runtime, caller, database_url):
    expert, magistrat = caller("expert"), caller("magistrat")
    designation = str(uuid.uuid4())
    body = accepted(designation, expert.account_id, magistrat.account_id)
    queue = consumer(runtime, "designations")
    assert queue.handle(body) is Outcome.ACK
    assert queue.handle(body) is Outcome.ACK  # redelivered: the inbox skips it
    items = expert.get("/v1/expertises").get_json()["items"]
    assert len(items) == 1
    created = [e for e in outbox_events(database_url, name="expertise.created.v1")
               if e.data["designation_id"] == designation]
    assert len(created) == 1
    # The magistrat who designated is attached, en charge.
    seen = magistrat.get(f"/v1/expertises/{items[0]['id']}").get_json()
    assert seen["my_role"] == "magistrat" and seen["magistrat_en_charge"] == "François DUPONT"
    assert seen["designation_id"] == designation and seen["status"] == "en_creation"
    assert created[0].causation_id is not None


def test_a_second_acceptance_event_for_the_same_designation_or_an_older_version_is_dropped(runtime, caller):
    expert, greffier = caller("expert"), caller("greffier")
    designation = str(uuid.uuid4())
    queue = consumer(runtime, "designations")
    outcomes = queue.handle_batch([
        accepted(designation, expert.account_id, greffier.account_id, designator={
            "account_id": greffier.account_id, "profile": "greffier"}),
        accepted(designation, expert.account_id, greffier.account_id, designation_version=4),
        accepted(designation, expert.account_id, greffier.account_id, designation_version=2),
    ])
    assert outcomes == [Outcome.ACK] * 3
    items = expert.get("/v1/expertises").get_json()["items"]
    assert len(items) == 1
    assert greffier.get(f"/v1/expertises/{items[0]['id']}").get_json()["my_role"] == "greffier"


def test_an_acceptance_with_an_impossible_naming_goes_to_the_dead_letters(runtime, caller):
    body = accepted(str(uuid.uuid4()), caller("expert").account_id, caller("magistrat").account_id,
                    naming={"first_applicant": "A", "designation_date": "31-02-2024"})
    assert consumer(runtime, "designations").handle(body) is Outcome.DEAD_LETTER


def test_the_client_spelling_of_naming_fields_is_understood(runtime, caller):
    expert = caller("expert")
    body = accepted(str(uuid.uuid4()), expert.account_id, caller("magistrat").account_id, naming=None,
                    nameFirstApplicant="Ayoub", nameFirstDefender="Sadiki", nameJurisdiction="123",
                    nameRegistryNumber="1", nameExpert="Boulore", nameDiscoveryCode="10",
                    nameDesignationDate="22-09-2024")
    assert consumer(runtime, "designations").handle(body) is Outcome.ACK
    assert expert.get("/v1/expertises").get_json()["items"][0]["display_name"] == \
        "AYOUB_SADIKI_123_1_BOULORE_10_22-09-2024"


def test_an_account_merge_moves_memberships_to_the_kept_account(runtime, caller, database_url):
    expert = caller("expert")
    duplicate, kept = caller("avocat"), caller("avocat")
    created = create_expertise(expert)
    path = f"/v1/expertises/{created['id']}"
    party = expert.post(f"{path}/parties", json={"name": "SCI", "kind": "demandeur",
                                                 "representation": "avocat"}).get_json()
    expert.post(f"{path}/participants", json={"account_id": duplicate.account_id, "role": "avocat",
                                              "party_ids": [party["id"]]})
    merge = new_event(service="identity", name="identity.accounts_merged.v1", subject=kept.account_id, data={
        "account_id": kept.account_id, "account_version": 4, "status": "active",
        "merged_account_id": duplicate.account_id, "merged_account_version": 2, "moved_certificates": [],
        "merged_by": None, "merged_at": "2026-11-20T10:00:00Z"})
    assert consumer(runtime, "accounts").handle(serialize_event(merge)) is Outcome.ACK
    assert duplicate.get(path).status_code == 404
    assert kept.get(path).get_json()["my_role"] == "avocat"
    update = outbox_events(database_url, subject=created["id"], name="expertise.participant_updated.v1")[-1]
    assert update.data["account_id"] == kept.account_id and update.data["changed"] == ["account_id"]


def test_a_merge_given_as_source_and_target_also_moves_unread_marks(runtime, caller):
    expert = caller("expert")
    source, target = caller("expert"), caller("expert")
    created = create_expertise(expert)
    expert.post(f"/v1/expertises/{created['id']}/participants", json={"account_id": source.account_id,
                                                                      "role": "co_expert"})
    deposit = new_event(service="documents", name="documents.document_deposited.v1", subject="doc", data={
        "expertise_id": created["id"], "document_id": str(uuid.uuid4()), "folder": "expert/correspondance",
        "audience": [expert.account_id, source.account_id]})
    consumer(runtime, "documents").handle(serialize_event(deposit))
    merge = new_event(service="identity", name="identity.accounts_merged.v1", subject=target.account_id,
                      data={"source_account_id": source.account_id, "target_account_id": target.account_id})
    assert consumer(runtime, "accounts").handle(serialize_event(merge)) is Outcome.ACK
    items = target.get("/v1/expertises").get_json()["items"]
    assert [(i["id"], i["unread_count"]) for i in items] == [(created["id"], 1)]


def test_an_invited_member_gets_the_account_identity_issued(runtime, caller, database_url):
    expert = caller("expert")
    created = create_expertise(expert)
    path = f"/v1/expertises/{created['id']}"
    party = expert.post(f"{path}/parties", json={"name": "M. Roux", "kind": "defendeur",
                                                 "representation": "elle_meme"}).get_json()
    invited = expert.post(f"{path}/invitations", json={"role": "partie_publiante", "given_name": "Jean",
                                                       "surname": "Roux", "email": "roux@exemple.test",
                                                       "party_ids": [party["id"]]}).get_json()
    invitation = outbox_events(database_url, subject=created["id"], name="expertise.participant_invited.v1")[-1]
    member = caller("partie")
    assert member.get(path).status_code == 404
    issued = new_event(service="identity", name="identity.software_certificate_issued.v1", subject=member.account_id,
                       causation=invitation, data={"account_id": member.account_id, "account_version": 1,
                                                   "profile": "partie", "expertise_id": created["id"]})
    assert consumer(runtime, "accounts").handle(serialize_event(issued)) is Outcome.ACK
    seen = member.get(path).get_json()
    assert seen["my_role"] == "partie_publiante"
    bound = outbox_events(database_url, subject=created["id"], name="expertise.participant_updated.v1")[-1]
    assert bound.data["participant_id"] == invited["id"] and bound.data["account_id"] == member.account_id
    assert bound.data["invitation_pending"] is False


def test_an_issued_certificate_naming_the_participant_binds_it_and_others_are_ignored(runtime, caller):
    expert = caller("expert")
    created = create_expertise(expert)
    path = f"/v1/expertises/{created['id']}"
    invited = expert.post(f"{path}/invitations", json={"role": "sapiteur", "given_name": "Paul", "surname": "Roux",
                                                       "email": "labo@exemple.test"}).get_json()
    technician, operator = caller("sapiteur_externe"), caller("operateur")
    unrelated = new_event(service="identity", name="identity.software_certificate_issued.v1",
                          subject=operator.account_id, data={"account_id": operator.account_id,
                                                             "profile": "operateur", "expertise_id": None})
    issued = new_event(service="identity", name="identity.software_certificate_issued.v1",
                       subject=technician.account_id, data={"account_id": technician.account_id,
                                                            "profile": "sapiteur_externe",
                                                            "expertise_id": created["id"],
                                                            "participant_id": invited["id"]})
    queue = consumer(runtime, "accounts")
    assert queue.handle_batch([serialize_event(unrelated), serialize_event(issued)]) == [Outcome.ACK] * 2
    assert technician.get(path).get_json()["my_role"] == "sapiteur"
    assert operator.get(path).status_code == 404


def test_deposits_and_reads_feed_the_unread_counts(runtime, caller):
    expert, magistrat = caller("expert"), caller("magistrat")
    created = create_expertise(expert)
    expert.post(f"/v1/expertises/{created['id']}/participants", json={"account_id": magistrat.account_id,
                                                                      "role": "magistrat"})
    documents = [str(uuid.uuid4()) for _ in range(3)]
    queue = consumer(runtime, "documents")
    bodies = [serialize_event(new_event(service="documents", name="documents.document_deposited.v1",
                                        subject=doc, data={"expertise_id": created["id"], "document_id": doc,
                                                           "folder": "magistrat/expert-vers-magistrat",
                                                           "audience": [expert.account_id, magistrat.account_id],
                                                           "depositor_account_id": expert.account_id}))
              for doc in documents]
    assert queue.handle_batch(bodies) == [Outcome.ACK] * 3
    read = new_event(service="documents", name="documents.document_read.v1", subject=documents[0],
                     data={"expertise_id": created["id"], "document_id": documents[0],
                           "account_id": magistrat.account_id})
    assert queue.handle(serialize_event(read)) is Outcome.ACK
    assert magistrat.get("/v1/expertises").get_json()["items"][0]["unread_count"] == 2
    dossier = new_event(service="documents", name="documents.document_deposited.v1", subject="d", data={
        "expertise_id": None, "designation_id": str(uuid.uuid4()), "document_id": str(uuid.uuid4()),
        "folder": "designation/x/demande", "audience": [magistrat.account_id]})
    assert queue.handle(serialize_event(dossier)) is Outcome.ACK  # a designation's file: not counted
    assert magistrat.get("/v1/expertises").get_json()["items"][0]["unread_count"] == 2
    assert expert.get("/v1/expertises").get_json()["items"][0]["unread_count"] == 0  # their own deposits


def test_a_deposit_as_the_vault_publishes_it_with_its_folder_object_counts_as_unread(runtime, caller):
    expert, magistrat = caller("expert"), caller("magistrat")
    created = create_expertise(expert)
    expert.post(f"/v1/expertises/{created['id']}/participants", json={"account_id": magistrat.account_id,
                                                                      "role": "magistrat"})
    document = str(uuid.uuid4())
    deposit = new_event(service="documents", name="documents.document_deposited.v1", subject=document, data={
        "expertise_id": created["id"], "document_id": document,
        "folder": {"id": str(uuid.uuid4()), "path": "expert/designation", "kind": "expert/designation",
                   "label": "Expert / Désignation"},
        "audience": [expert.account_id, magistrat.account_id], "depositor_account_id": expert.account_id})
    assert consumer(runtime, "documents").handle(serialize_event(deposit)) is Outcome.ACK
    assert magistrat.get("/v1/expertises").get_json()["items"][0]["unread_count"] == 1


def test_designation_accepted_travels_the_real_broker_and_comes_out_as_expertise_events(
        settings, bus_namespace, caller, database_url):  # noqa: ANN001
    """A designation event published on the bus is consumed; the new case's events are relayed."""
    topology = bus_namespace.topology
    bus_settings = settings.model_copy(update={"events_exchange": topology.exchange,
                                               "queue_prefix": topology.queue_prefix,
                                               "delivery_limit": topology.delivery_limit})
    runtime = build_runtime(bus_settings)
    queue_name = bus_namespace.queue("expertise", "designations")
    listener = bus_namespace.queue("test", "listener")
    from scelle_common.messaging import connect

    connection = connect(runtime.settings.broker_url, name="test-listener")
    channel = connection.channel()
    topology.declare_queue(channel, listener, ["expertise.created.v1"])
    designations = runtime.consumer("designations", CONSUMERS["designations"])
    assert designations.queue == queue_name
    designations.declare()
    stop = threading.Event()
    threads = [threading.Thread(target=designations.run, args=(stop,)),
               threading.Thread(target=runtime.relay().run, args=(stop,))]
    expert = caller("expert")
    designation = str(uuid.uuid4())
    try:
        for thread in threads:
            thread.start()
        channel.basic_publish(topology.exchange, "designation.accepted.v1",
                              accepted(designation, expert.account_id, caller("magistrat").account_id))
        deadline = time.monotonic() + 20
        received = None
        while time.monotonic() < deadline and received is None:
            method, _props, body = channel.basic_get(listener, auto_ack=True)
            if method is not None and designation.encode() in body:
                received = body
            connection.process_data_events(time_limit=0.1)
        assert received is not None, "expertise.created.v1 never reached the bus"
        assert len(expert.get("/v1/expertises").get_json()["items"]) == 1
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        connection.close()
        runtime.close()
