"""Events the expertise service consumes, by queue purpose (``expertise.<purpose>``)."""

from scelle_common.messaging import EventHandlers

CONSUMERS: dict[str, EventHandlers] = {}
