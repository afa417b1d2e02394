"""Events the billing service consumes, by queue purpose (``billing.<purpose>``)."""

from scelle_common.messaging import EventHandlers

CONSUMERS: dict[str, EventHandlers] = {}
