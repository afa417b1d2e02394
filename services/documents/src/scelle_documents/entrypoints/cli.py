"""``scelle-documents``: migrate, relay, consume, replay-dlq, verify-audit, sweep, keys, receipt.

* ``sweep``: abort multipart uploads older than ``--minutes`` (default
  ``DOCUMENTS_SWEEP_AFTER_MINUTES``) and delete objects no document row refers to (a process
  killed between S3 and its commit); run it from a CronJob.
* ``keys init PATH``: create the vault's Ed25519 receipt key (private JWK, mode 600) if absent;
  ``keys public PATH``: print its public JWKS (publish it for offline verification).
* ``receipt verify RECEIPT --jwks JWKS``: check a receipt offline (exit 1 when invalid).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from scelle_common.cli import service_cli
from scelle_common.config import ConfigError, load_settings
from scelle_common.logging import configure_logging
from scelle_documents.bootstrap import SERVICE, build_blob_store, build_runtime
from scelle_documents.config import Settings
from scelle_documents.domain.receipts import ReceiptSigner, new_private_jwk, verify_receipt
from scelle_documents.entrypoints.consumer import CONSUMERS

cli = service_cli(SERVICE, build_runtime, CONSUMERS)


@cli.command(help="Abort stale multipart uploads and delete objects without a document row.")
@click.option("--minutes", type=int, default=None, help="Only what is older than this (default: settings).")
def sweep(minutes: int | None) -> None:
    from scelle_documents.service_layer.sweeper import sweep as run_sweep

    try:
        settings = load_settings(Settings)
    except ConfigError as exc:
        click.echo(f"scelle-documents: {exc}", err=True)
        sys.exit(2)
    configure_logging(SERVICE, settings.log_level)
    blobs = build_blob_store(settings)
    if blobs is None:
        click.echo("scelle-documents: DOCUMENTS_S3_ENDPOINT_URL is not set", err=True)
        sys.exit(2)
    runtime = build_runtime(settings)
    cutoff = datetime.now(UTC) - timedelta(minutes=settings.sweep_after_minutes if minutes is None else minutes)
    aborted, deleted = run_sweep(runtime, blobs, cutoff)
    click.echo(f"{aborted} multipart upload(s) aborted, {deleted} orphaned object(s) deleted")


@cli.group(help="The vault's receipt-signing key.")
def keys() -> None:
    pass


@keys.command("init", help="Create the Ed25519 receipt key at PATH unless it exists.")
@click.argument("path", type=click.Path(path_type=Path))
def keys_init(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(new_private_jwk(), out, indent=2)
            out.write("\n")
    os.chmod(path, 0o600)
    click.echo(ReceiptSigner.from_jwk(path.read_text(encoding="utf-8")).key_id)


@keys.command("public", help="Print the public JWKS of the receipt key at PATH.")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def keys_public(path: Path) -> None:
    click.echo(json.dumps(ReceiptSigner.from_jwk(path.read_text(encoding="utf-8")).public_jwks(), indent=2))


@cli.group(help="Deposit receipts.")
def receipt() -> None:
    pass


@receipt.command("verify", help="Verify RECEIPT (JSON file) against the public keys in JWKS, offline.")
@click.argument("receipt_file", type=click.Path(exists=True, path_type=Path))
@click.option("--jwks", "jwks_file", type=click.Path(exists=True, path_type=Path), required=True)
def receipt_verify(receipt_file: Path, jwks_file: Path) -> None:
    outcome = verify_receipt(json.loads(receipt_file.read_text(encoding="utf-8")),
                             json.loads(jwks_file.read_text(encoding="utf-8")))
    click.echo(f"{'VALID' if outcome.valid else 'INVALID'}: {outcome.reason} (key {outcome.key_id})")
    if not outcome.valid:
        sys.exit(1)
