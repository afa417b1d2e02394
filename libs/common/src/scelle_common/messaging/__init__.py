"""The event bus: topology, transactional outbox and relay, inbox and consumer, DLQ replay.

Guarantees (DESIGN.md §4):

* an event is published if and only if the transaction that wrote it commits
  (:class:`Outbox` + :class:`Relay`), at least once, with the same ``id`` on
  every republish;
* a consumer applies each event at most once in effect (:class:`Inbox` in the
  effect's transaction) and acknowledges only after commit;
* poison messages go to ``<queue>.dlq`` and come back with :func:`replay_dead_letters`.
"""

from scelle_common.messaging.consumer import Consumer, EventHandlers, Outcome
from scelle_common.messaging.errors import PermanentError
from scelle_common.messaging.inbox import Inbox
from scelle_common.messaging.outbox import Outbox
from scelle_common.messaging.relay import Relay
from scelle_common.messaging.replay import replay_dead_letters
from scelle_common.messaging.topology import Topology, connect

__all__ = [
    "Consumer",
    "EventHandlers",
    "Inbox",
    "Outbox",
    "Outcome",
    "PermanentError",
    "Relay",
    "Topology",
    "connect",
    "replay_dead_letters",
]
