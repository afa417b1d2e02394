"""``scelle-portal``: the portal has no database, relay or consumer; it only checks its settings."""

from __future__ import annotations

import sys

import click

from scelle_common.config import ConfigError, load_settings
from scelle_portal.config import Settings


@click.group(help="Scellé web portal. Serve it with gunicorn scelle_portal.entrypoints.wsgi:app.")
def cli() -> None:
    pass


@cli.command("check-config", help="Read the PORTAL_* settings and say which services the portal calls.")
def check_config() -> None:
    try:
        settings = load_settings(Settings)
    except ConfigError as exc:
        click.echo(f"scelle-portal: {exc}", err=True)
        sys.exit(2)
    if not settings.jwks:
        click.echo("scelle-portal: PORTAL_JWKS is required (or PORTAL_JWKS_FILE)", err=True)
        sys.exit(2)
    for service in ("identity", "expertise", "documents", "designation", "billing"):
        click.echo(f"{service}: {settings.service_url(service)}")
