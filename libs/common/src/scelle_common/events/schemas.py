"""JSON Schema (2020-12) contracts of event ``data``.

Each service keeps ``contracts/events/<name>.schema.json`` and
``<name>.example.json`` for every event it publishes. Producers validate before
writing to the outbox, so an event that breaks its contract is never published;
the root contract tests validate every example.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from scelle_common.events.envelope import Event, validate_event_name

_SUFFIX = ".schema.json"


class EventContractError(ValueError):
    """An event's ``data`` does not satisfy its published schema (or has none)."""


class SchemaRegistry:
    """The event schemas found in one or more ``contracts/events`` directories."""

    def __init__(self, directories: Iterable[Path]) -> None:
        self._validators: dict[str, Draft202012Validator] = {}
        for directory in directories:
            for path in sorted(Path(directory).glob(f"*{_SUFFIX}")):
                name = validate_event_name(path.name[: -len(_SUFFIX)])
                schema = json.loads(path.read_text(encoding="utf-8"))
                Draft202012Validator.check_schema(schema)
                self._validators[name] = Draft202012Validator(schema, format_checker=FormatChecker())

    @property
    def names(self) -> list[str]:
        """Every event name with a schema, sorted."""
        return sorted(self._validators)

    def validate_data(self, name: str, data: dict[str, Any]) -> None:
        """Raise :class:`EventContractError` unless ``data`` satisfies the schema of ``name``."""
        validator = self._validators.get(name)
        if validator is None:
            raise EventContractError(f"no schema for event {name!r}")
        errors = sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path))
        if errors:
            details = "; ".join(
                f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
                for error in errors
            )
            raise EventContractError(f"{name}: {details}")

    def validate(self, event: Event) -> None:
        """Validate the ``data`` of ``event`` against its schema."""
        self.validate_data(event.name, event.data)
