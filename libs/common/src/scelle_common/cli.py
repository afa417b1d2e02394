"""The command line every service exposes as ``scelle-<service>``.

``migrate`` (Alembic upgrade), ``relay`` (outbox → broker), ``consume`` (every
consumer purpose of the service, one thread each), ``replay-dlq`` (bring a
queue's dead letters back) and ``verify-audit`` (walk the audit chain).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping

import click
from alembic import command
from alembic.config import Config

from scelle_common.config import ConfigError
from scelle_common.logging import configure_logging, get_logger
from scelle_common.messaging import EventHandlers, replay_dead_letters
from scelle_common.runtime import ServiceRuntime, stop_on_signals

log = get_logger(__name__)


def alembic_config(runtime: ServiceRuntime) -> Config:
    """An Alembic configuration for the runtime's migrations and database."""
    config = Config()
    config.set_main_option("script_location", str(runtime.migrations_dir))
    config.set_main_option("sqlalchemy.url", runtime.settings.database_url.replace("%", "%%"))
    return config


def service_cli(
    service: str,
    build_runtime: Callable[[], ServiceRuntime],
    consumers: Mapping[str, EventHandlers],
) -> click.Group:
    """The ``scelle-<service>`` click group; ``consumers`` maps purpose → handlers."""

    def runtime() -> ServiceRuntime:
        try:
            built = build_runtime()
        except ConfigError as exc:
            click.echo(f"scelle-{service}: {exc}", err=True)
            sys.exit(2)
        configure_logging(service, built.settings.log_level)
        return built

    @click.group(help=f"Scellé {service} service commands.")
    def group() -> None:
        pass

    @group.command(help="Apply every pending database migration.")
    def migrate() -> None:
        command.upgrade(alembic_config(runtime()), "head")

    @group.command(help="Publish committed outbox events to the broker until stopped.")
    def relay() -> None:
        relay_loop = runtime().relay()
        log.info("relay.started")
        relay_loop.run(stop_on_signals())

    @group.command(help="Consume this service's queues until stopped.")
    def consume() -> None:
        built = runtime()
        stop = stop_on_signals()
        threads = [
            threading.Thread(target=built.consumer(purpose, handlers).run, args=(stop,), name=purpose)
            for purpose, handlers in consumers.items()
        ]
        if not threads:
            log.info("consumer.no_subscriptions", detail="this service consumes no event yet")
        for thread in threads:
            thread.start()
        # A short timeout keeps the main thread responsive to SIGTERM on every platform.
        while not stop.wait(1.0):
            pass
        for thread in threads:
            thread.join()

    @group.command("replay-dlq", help="Move dead-lettered messages of PURPOSE back to its queue.")
    @click.argument("purpose")
    @click.option("--limit", type=int, default=None, help="At most this many messages.")
    def replay_dlq(purpose: str, limit: int | None) -> None:
        built = runtime()
        if purpose not in consumers:
            raise click.BadParameter(f"known purposes: {', '.join(sorted(consumers)) or 'none'}")
        moved = replay_dead_letters(
            built.settings.broker_url, built.topology.queue_name(service, purpose), limit=limit
        )
        click.echo(f"{moved} message(s) replayed")

    @group.command("verify-audit", help="Verify the audit chain; exit 1 if it is broken.")
    def verify_audit() -> None:
        built = runtime()
        with built.session_factory() as session:
            result = built.audit.verify(session)
        if result.intact:
            click.echo(f"audit chain intact: {result.rows_checked} row(s), head {result.head_hash}")
            return
        click.echo(f"audit chain BROKEN at seq {result.first_broken_seq}: {result.reason}", err=True)
        sys.exit(1)

    return group
