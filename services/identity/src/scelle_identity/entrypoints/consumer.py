"""Events the identity service consumes, by queue purpose (``identity.<purpose>``)."""

from scelle_common.messaging import EventHandlers

CONSUMERS: dict[str, EventHandlers] = {}
