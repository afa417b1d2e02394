import json

import pytest

from scelle_common.events import (
    EventContractError,
    EventFormatError,
    SchemaRegistry,
    event_type,
    new_event,
    parse_event,
    serialize_event,
)


def status_changed(**overrides):
    return new_event(service="expertise", name="expertise.status_changed.v1", subject="exp-1",
                     data={"expertise_id": "exp-1", "expertise_version": 3, "status": "en_cours"}, **overrides)


def test_event_names_follow_domain_past_tense_and_major_version():
    assert event_type("expertise.status_changed.v1") == "fr.scelle.expertise.status_changed.v1"
    for bad in ("expertise.StatusChanged.v1", "expertise.status_changed", "status_changed.v1", "a.b.v0"):
        with pytest.raises(ValueError):
            event_type(bad)


def test_an_event_round_trips_through_the_structured_json_envelope():
    event = status_changed(traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    body = json.loads(serialize_event(event))
    assert body["specversion"] == "1.0"
    assert body["type"] == "fr.scelle.expertise.status_changed.v1"
    assert body["source"] == "/scelle/expertise"
    assert body["subject"] == "exp-1"
    assert body["dataschema"].endswith("expertise.status_changed.v1.schema.json")
    assert body["time"].endswith("Z")
    assert parse_event(serialize_event(event)) == event


def test_a_caused_event_inherits_the_correlation_and_points_at_its_cause():
    cause = status_changed()
    effect = new_event(service="billing", name="billing.invoice_issued.v1", subject="inv-1", data={}, causation=cause)
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.id
    assert parse_event(serialize_event(effect)).causation_id == cause.id


@pytest.mark.parametrize("body", [
    b"not json",
    b"{}",
    json.dumps({"specversion": "1.0", "id": "1", "source": "/x", "type": "com.other.thing", "time": "2026-01-01T00:00:00Z", "data": {}}).encode(),
    json.dumps({"specversion": "1.0", "id": "1", "source": "/x", "type": "fr.scelle.a.b_c.v1", "time": "2026-01-01T00:00:00Z", "data": [1]}).encode(),
])
def test_foreign_or_malformed_bodies_are_refused(body):
    with pytest.raises(EventFormatError):
        parse_event(body)


def test_event_data_is_validated_against_its_schema(tmp_path):
    (tmp_path / "expertise.status_changed.v1.schema.json").write_text(json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["expertise_id", "expertise_version", "status"],
        "properties": {"status": {"enum": ["en_creation", "en_cours", "en_pause", "terminee"]},
                       "expertise_version": {"type": "integer", "minimum": 1}},
    }))
    registry = SchemaRegistry([tmp_path])
    registry.validate(status_changed())
    with pytest.raises(EventContractError, match="status"):
        registry.validate_data("expertise.status_changed.v1", {"expertise_id": "e", "expertise_version": 1, "status": "finie"})
    with pytest.raises(EventContractError, match="no schema"):
        registry.validate_data("expertise.renamed.v1", {})
