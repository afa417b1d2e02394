"""Settings of the documents service, from ``DOCUMENTS_*`` environment variables."""

from typing import ClassVar

from scelle_common.config import ServiceSettings

GIB = 1024 ** 3
MIB = 1024 ** 2


class Settings(ServiceSettings):
    """``DOCUMENTS_*``; every value may come from ``DOCUMENTS_<NAME>_FILE`` (secrets, keys)."""

    env_prefix: ClassVar[str] = "DOCUMENTS_"

    # Deposits are request bodies: the body limit is the largest deposit (+ nothing else: JSON
    # bodies of the other routes are held to ``json_max_bytes`` by the vault's own check).
    max_request_bytes: int = 5 * GIB
    max_document_bytes: int = 5 * GIB
    json_max_bytes: int = MIB
    forbidden_media_types: str = "application/x-msdownload,application/x-executable"

    s3_endpoint_url: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_region: str = "us-east-1"
    s3_bucket: str = "scelle-documents"
    s3_prefix: str = "vault/"
    s3_server_side_encryption: bool = True
    s3_part_bytes: int = 8 * MIB
    s3_upload_concurrency: int = 2
    s3_connect_timeout_seconds: float = 3.0
    s3_read_timeout_seconds: float = 60.0

    # The vault's Ed25519 private JWK that signs deposit receipts (DOCUMENTS_RECEIPT_KEY_FILE).
    receipt_key: str = ""

    # When set (e.g. ``/_scelle/s3/``), downloads answer with ``X-Accel-Redirect: <this><pre-signed
    # path and query>`` and the gateway streams the object from S3 through an internal location;
    # empty = the API streams the bytes itself (works without such a gateway).
    download_offload_location: str = ""

    sweep_after_minutes: int = 60
    zip_max_documents: int = 2000
