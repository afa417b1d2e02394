"""Every published event has a JSON Schema 2020-12 contract and a valid example."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from scelle_common.events import SchemaRegistry, validate_event_name
from tests.conftest import ROOT, SERVICES


def contract_files():
    for service in SERVICES:
        yield service, ROOT / "services" / service / "contracts" / "events"


def test_every_schema_has_an_example_and_every_example_a_schema():
    for service, directory in contract_files():
        schemas = {path.name.removesuffix(".schema.json") for path in directory.glob("*.schema.json")}
        examples = {path.name.removesuffix(".example.json") for path in directory.glob("*.example.json")}
        assert schemas == examples, f"{service}: schemas without example or examples without schema"


def test_every_event_is_named_by_its_producer_and_follows_the_naming_rule():
    for service, directory in contract_files():
        for path in directory.glob("*.schema.json"):
            name = validate_event_name(path.name.removesuffix(".schema.json"))
            assert name.split(".")[0] in (service, "audit"), f"{service} publishes {name}, another domain's event"


def test_every_example_satisfies_its_schema():
    for _service, directory in contract_files():
        registry = SchemaRegistry([directory])
        for name in registry.names:
            example = json.loads((directory / f"{name}.example.json").read_text())
            registry.validate_data(name, example)


def test_every_schema_is_a_valid_2020_12_schema():
    for _service, directory in contract_files():
        for path in directory.glob("*.schema.json"):
            schema = json.loads(path.read_text())
            assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema", path.name
            Draft202012Validator.check_schema(schema)
