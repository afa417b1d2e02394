"""Build, serialise and parse the CloudEvents 1.0 structured-JSON envelope.

Scellé's conventions on top of the spec (DESIGN.md §4):

* ``type`` is ``fr.scelle.<name>`` with ``name = <domain>.<past_tense_snake>.v<major>``;
  the routing key on the bus is ``name``.
* ``source`` is ``/scelle/<service>``; ``subject`` the aggregate id.
* ``id`` is fixed when the outbox row is written and kept on every republish.
* extensions ``correlationid``, ``causationid`` and ``traceparent``.
* ``data`` is a JSON object carrying the entity id, ``<aggregate>_version``
  and the state after the change — never document bytes.

The CloudEvents SDK does attribute validation and the wire format; this module
adds the naming rules and a small immutable view used everywhere else.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

CONTENT_TYPE = "application/cloudevents+json"
TYPE_PREFIX = "fr.scelle."
SCHEMA_BASE = "https://scelle.fr/contracts/events/"
_NAME = re.compile(r"^[a-z][a-z0-9]*\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.v[1-9][0-9]*$")
_FORMAT = JSONFormat()


class EventFormatError(ValueError):
    """The bytes are not a Scellé CloudEvent; such a message can never be processed."""


def validate_event_name(name: str) -> str:
    """Return ``name`` if it follows ``<domain>.<past_tense_snake>.v<major>``, else raise."""
    if not _NAME.match(name):
        raise ValueError(
            f"event name {name!r} must look like 'expertise.status_changed.v1' "
            "(domain, past-tense snake_case, major version)"
        )
    return name


def event_type(name: str) -> str:
    """The CloudEvents ``type`` of the event called ``name``."""
    return TYPE_PREFIX + validate_event_name(name)


@dataclass(frozen=True)
class Event:
    """One Scellé event: the envelope attributes plus ``data``."""

    id: str
    name: str
    source: str
    subject: str
    time: datetime
    data: dict[str, Any]
    correlation_id: str
    causation_id: str | None = None
    traceparent: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return TYPE_PREFIX + self.name

    @property
    def routing_key(self) -> str:
        return self.name

    @property
    def service(self) -> str:
        """The producing service, read from ``source`` (``/scelle/<service>``)."""
        return self.source.rsplit("/", 1)[-1]


def new_event(
    *,
    service: str,
    name: str,
    subject: str,
    data: dict[str, Any],
    correlation_id: str | None = None,
    causation: Event | None = None,
    traceparent: str | None = None,
    time: datetime | None = None,
    event_id: str | None = None,
) -> Event:
    """A new event produced by ``service``.

    When the event is caused by another one, pass it as ``causation``: the
    correlation id is inherited and ``causationid`` points at it.
    """
    validate_event_name(name)
    if causation is not None:
        correlation_id = correlation_id or causation.correlation_id
        traceparent = traceparent or causation.traceparent
    identifier = event_id or str(uuid.uuid4())
    return Event(
        id=identifier,
        name=name,
        source=f"/scelle/{service}",
        subject=str(subject),
        time=(time or datetime.now(UTC)).astimezone(UTC),
        data=data,
        correlation_id=correlation_id or identifier,
        causation_id=causation.id if causation is not None else None,
        traceparent=traceparent,
    )


def serialize_event(event: Event) -> bytes:
    """The structured-mode JSON body (``application/cloudevents+json``)."""
    attributes: dict[str, Any] = {
        "id": event.id,
        "source": event.source,
        "type": event.type,
        "subject": event.subject,
        "time": event.time,
        "datacontenttype": "application/json",
        "dataschema": f"{SCHEMA_BASE}{event.name}.schema.json",
        "correlationid": event.correlation_id,
    }
    if event.causation_id:
        attributes["causationid"] = event.causation_id
    if event.traceparent:
        attributes["traceparent"] = event.traceparent
    attributes.update(event.extra)
    return _FORMAT.write(CloudEvent(attributes, event.data))


_KNOWN = {"id", "source", "type", "subject", "time", "datacontenttype", "dataschema",
          "specversion", "correlationid", "causationid", "traceparent"}


def parse_event(body: bytes | str) -> Event:
    """Parse a structured-mode body; raise :class:`EventFormatError` if it is not one of ours."""
    try:
        cloud_event = _FORMAT.read(CloudEvent, body)
    except (BaseCloudEventException, ValueError, TypeError, KeyError) as exc:
        raise EventFormatError(f"not a CloudEvents 1.0 JSON body: {exc}") from None
    attributes = cloud_event.get_attributes()
    kind = attributes["type"]
    if not kind.startswith(TYPE_PREFIX):
        raise EventFormatError(f"type {kind!r} is not a Scellé event")
    name = kind[len(TYPE_PREFIX):]
    try:
        validate_event_name(name)
    except ValueError as exc:
        raise EventFormatError(str(exc)) from None
    data = cloud_event.get_data()
    if not isinstance(data, dict):
        raise EventFormatError("data must be a JSON object")
    time = attributes.get("time")
    if not isinstance(time, datetime):
        raise EventFormatError("time is required")
    return Event(
        id=attributes["id"],
        name=name,
        source=attributes["source"],
        subject=attributes.get("subject") or "",
        time=time.astimezone(UTC),
        data=data,
        correlation_id=attributes.get("correlationid") or attributes["id"],
        causation_id=attributes.get("causationid"),
        traceparent=attributes.get("traceparent"),
        extra={key: value for key, value in attributes.items() if key not in _KNOWN},
    )
