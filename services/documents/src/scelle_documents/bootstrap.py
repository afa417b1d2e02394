"""Composition root of the documents service: settings → runtime, rights matrix, S3, receipt key."""

from __future__ import annotations

from pathlib import Path

from scelle_common.config import ConfigError, load_settings
from scelle_common.runtime import ServiceRuntime
from scelle_documents.adapters.blob_store import S3BlobStore
from scelle_documents.config import Settings
from scelle_documents.domain.receipts import ReceiptSigner
from scelle_documents.domain.rights import DEFAULT_MATRIX, RightsMatrix
from scelle_documents.service_layer.handlers import Clock, Services, utc_now
from scelle_documents.service_layer.unit_of_work import VaultUnitOfWork

SERVICE = "documents"
SERVICE_ROOT = Path(__file__).resolve().parents[2]


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    """Everything the documents processes need, from the environment unless ``settings`` is given."""
    return ServiceRuntime.build(SERVICE, SERVICE_ROOT, settings or load_settings(Settings))


def build_blob_store(settings: Settings) -> S3BlobStore | None:
    """The S3 store, or None when no endpoint is configured (deposits and downloads answer 503)."""
    if not settings.s3_endpoint_url:
        return None
    return S3BlobStore(
        endpoint_url=settings.s3_endpoint_url, access_key=settings.s3_access_key, secret_key=settings.s3_secret_key,
        region=settings.s3_region, bucket=settings.s3_bucket, prefix=settings.s3_prefix,
        server_side_encryption=settings.s3_server_side_encryption, part_bytes=settings.s3_part_bytes,
        concurrency=settings.s3_upload_concurrency, connect_timeout=settings.s3_connect_timeout_seconds,
        read_timeout=settings.s3_read_timeout_seconds)


def build_signer(settings: Settings) -> ReceiptSigner | None:
    if not settings.receipt_key:
        if settings.s3_endpoint_url:
            raise ConfigError(f"{Settings.variable('receipt_key')}_FILE is required when the vault stores files "
                              "(create one with `scelle-documents keys init PATH`)")
        return None
    try:
        return ReceiptSigner.from_jwk(settings.receipt_key)
    except (ValueError, KeyError) as error:
        raise ConfigError(f"{Settings.variable('receipt_key')}: not an Ed25519 private JWK ({error})") from None


def build_services(runtime: ServiceRuntime, *, clock: Clock = utc_now, matrix_path: Path = DEFAULT_MATRIX) -> Services:
    """The use cases' dependencies; the rights matrix is loaded and validated here, at start."""
    settings = runtime.settings
    assert isinstance(settings, Settings)
    return Services(
        unit_of_work=lambda: VaultUnitOfWork(runtime.session_factory, runtime.outbox, runtime.audit),
        matrix=RightsMatrix.load(matrix_path),
        blobs=build_blob_store(settings),
        signer=build_signer(settings),
        max_document_bytes=settings.max_document_bytes,
        forbidden_media_types=frozenset(t.strip() for t in settings.forbidden_media_types.split(",") if t.strip()),
        download_offload_location=settings.download_offload_location,
        clock=clock,
    )
