"""The CloudEvents 1.0 envelope of Scellé events and their JSON Schema contracts."""

from scelle_common.events.envelope import (
    CONTENT_TYPE,
    Event,
    EventFormatError,
    event_type,
    new_event,
    parse_event,
    serialize_event,
    validate_event_name,
)
from scelle_common.events.schemas import EventContractError, SchemaRegistry

__all__ = [
    "CONTENT_TYPE",
    "Event",
    "EventContractError",
    "EventFormatError",
    "SchemaRegistry",
    "event_type",
    "new_event",
    "parse_event",
    "serialize_event",
    "validate_event_name",
]
