"""Events the documents service consumes, by queue purpose (``documents.<purpose>``)."""

from scelle_common.messaging import EventHandlers

CONSUMERS: dict[str, EventHandlers] = {}
