"""Events the designation service consumes, by queue purpose (``designation.<purpose>``)."""

from scelle_common.messaging import EventHandlers

CONSUMERS: dict[str, EventHandlers] = {}
