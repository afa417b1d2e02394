"""Events the notification service consumes, by queue purpose (``notification.<purpose>``)."""

from scelle_common.messaging import EventHandlers

CONSUMERS: dict[str, EventHandlers] = {}
