"""``scelle-billing``: migrate, relay, consume, replay-dlq, verify-audit."""

from scelle_common.cli import service_cli
from scelle_billing.bootstrap import SERVICE, build_runtime
from scelle_billing.entrypoints.consumer import CONSUMERS

cli = service_cli(SERVICE, build_runtime, CONSUMERS)
