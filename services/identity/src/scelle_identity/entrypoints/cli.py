"""``scelle-identity``: the shared commands (migrate, relay, consume, replay-dlq, verify-audit) plus
identity's own: keys, reference data, demo seed, first operator, expiry notices, CRL, CGU."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import click
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from scelle_common.cli import service_cli
from scelle_common.config import ConfigError
from scelle_common.logging import configure_logging
from scelle_identity.adapters import signing
from scelle_identity.bootstrap import SERVICE, build_runtime, build_services
from scelle_identity.domain.errors import IdentityError
from scelle_identity.entrypoints.consumer import CONSUMERS
from scelle_identity.service_layer import accounts, expiry, provisioning, software_certificates
from scelle_identity.service_layer.context import SYSTEM, Services

cli = service_cli(SERVICE, build_runtime, CONSUMERS)
T = TypeVar("T")


def _services() -> Services:
    try:
        runtime = build_runtime()
        built = build_services(runtime)
    except ConfigError as exc:
        click.echo(f"scelle-{SERVICE}: {exc}", err=True)
        sys.exit(2)
    configure_logging(SERVICE, runtime.settings.log_level)
    click.get_current_context().call_on_close(runtime.close)
    return built


def _run(action: Callable[[], T]) -> T:
    """Run a use case; a refusal is printed as its French detail, exit status 1."""
    try:
        return action()
    except IdentityError as exc:
        click.echo(f"scelle-{SERVICE}: {exc.detail}", err=True)
        sys.exit(1)


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)


# -- keys


@cli.group(help="Principal-token signing keys (Ed25519 private JWK + public JWKS).")
def keys() -> None:
    pass


_dir_option = click.option("--out", "--dir", "directory", type=click.Path(path_type=Path), required=True,
                           help="Keys directory (holds principal-signing.jwk.json and jwks.json).")


@keys.command("init", help="Create the signing key (mode 0600) and its JWKS, unless they exist.")
@_dir_option
def keys_init(directory: Path) -> None:
    kid = signing.init_keys(directory)
    click.echo(f"signing key {kid}: IDENTITY_SIGNING_KEY_FILE={directory / signing.PRIVATE_NAME}")
    click.echo(f"public JWKS: <SERVICE>_JWKS_FILE={directory / signing.PUBLIC_NAME}")


@keys.command("stage", help="Rotation 1/3: create the next key and publish it in the JWKS.")
@_dir_option
def keys_stage(directory: Path) -> None:
    click.echo(f"staged {signing.stage_next_key(directory)}: roll jwks.json out to every service")


@keys.command("promote", help="Rotation 2/3: sign with the staged key (restart identity).")
@_dir_option
def keys_promote(directory: Path) -> None:
    click.echo(f"signing with {signing.promote_next_key(directory)}: restart identity; prune in 5 minutes")


@keys.command("prune", help="Rotation 3/3: publish only the current key.")
@_dir_option
def keys_prune(directory: Path) -> None:
    click.echo("published: " + ", ".join(signing.prune_keys(directory)))


# -- data


@cli.command("load-reference-data", help="Load courts, nomenclatures and CGU versions (idempotent).")
def load_reference_data() -> None:
    data = _run(lambda: provisioning.load_reference(_services()))
    click.echo(f"{len(data.courts)} courts, nomenclature {data.current_nomenclature}, "
               f"{len(data.cgu_versions)} CGU version(s)")


@cli.command("seed-demo", help="Reference data plus an account for each registered identity of a dev-PKI manifest.")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
def seed_demo(manifest: Path) -> None:
    report = _run(lambda: provisioning.seed_demo(_services(), manifest))
    click.echo(json.dumps({"created": report.created, "skipped": report.skipped}, ensure_ascii=False))


@cli.command("bootstrap-operator", help="Create the first operator (bind --cert, or issue a certificate).")
@click.option("--email", required=True)
@click.option("--given-name")
@click.option("--surname")
@click.option("--cert", "cert_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PEM certificate of the platform CA to bind (names default to its subject).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Without --cert: where to write operator.p12.")
@click.option("--p12-password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Without --cert: the file holding the PKCS#12 password.")
def bootstrap_operator(email: str, given_name: str | None, surname: str | None, cert_file: Path | None,
                       out_dir: Path | None, p12_password_file: Path | None) -> None:
    if cert_file is None and (out_dir is None or p12_password_file is None):
        raise click.UsageError("give --cert, or --out and --p12-password-file to issue a certificate")
    password = p12_password_file.read_text(encoding="utf-8").strip() if p12_password_file else None
    result = _run(lambda: provisioning.bootstrap_operator(
        _services(), given_name=given_name, surname=surname, email=email,
        certificate_pem=cert_file.read_text(encoding="utf-8") if cert_file else None, p12_password=password))
    if result.pkcs12 is not None and out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_private(out_dir / "operator.p12", result.pkcs12)
        click.echo(f"wrote {out_dir / 'operator.p12'}")
    click.echo(f"operator {result.account.id} bound to certificate {result.record.fingerprint}")


@cli.command("expiry-notices", help="Publish identity.certificate_expiring at 60/30/7 days (run daily).")
@click.option("--at", "at", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"]),
              help="Pretend it is this moment (UTC when no offset).")
def expiry_notices(at: datetime | None) -> None:
    moment = at.replace(tzinfo=at.tzinfo or UTC) if at else None
    notices = _run(lambda: expiry.publish_expiry_notices(_services(), moment))
    for notice in notices:
        click.echo(f"{notice.fingerprint} account {notice.account_id}: {notice.threshold_days} days "
                   f"({notice.days_left} left)")
    click.echo(f"{len(notices)} notice(s) published")


@cli.command("crl", help="Issue a new CRL of the software CA; with --out, write it as PEM (nginx bundle).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path))
def crl(out_file: Path | None) -> None:
    der = _run(lambda: software_certificates.regenerate_crl(_services()))
    revocations = x509.load_der_x509_crl(der)
    if out_file is not None:
        out_file.write_bytes(revocations.public_bytes(serialization.Encoding.PEM))
    click.echo(f"CRL with {len(list(revocations))} revocation(s), next update {revocations.next_update_utc}")


@cli.command("cgu-publish", help="Publish a new CGU version (accepted by everyone at next login).")
@click.option("--version", "version", required=True)
@click.option("--title", required=True)
@click.option("--file", "body_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--effective-at", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z"]))
def cgu_publish(version: str, title: str, body_file: Path, effective_at: datetime | None) -> None:
    published = _run(lambda: accounts.publish_cgu(_services(), SYSTEM, version, title,
                                                  body_file.read_text(encoding="utf-8"), effective_at))
    click.echo(f"CGU {published.version} in force from {published.effective_at.isoformat()}")
