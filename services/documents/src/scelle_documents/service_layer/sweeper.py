"""The sweeper: what an interrupted deposit may leave on S3 is removed after a grace period."""

from __future__ import annotations

from datetime import datetime

from scelle_common.logging import get_logger
from scelle_common.runtime import ServiceRuntime
from scelle_documents.adapters.blob_store import S3BlobStore
from scelle_documents.adapters.repository import VaultRepository

log = get_logger(__name__)


def sweep(runtime: ServiceRuntime, blobs: S3BlobStore, older_than: datetime) -> tuple[int, int]:
    """Abort multipart uploads started before ``older_than`` and delete complete objects written
    before it that no document row refers to. Returns ``(aborted, deleted)``."""
    blobs.ensure_bucket()
    aborted = blobs.abort_stale_uploads(older_than)
    deleted = 0
    for keys in blobs.objects_before(older_than):
        with runtime.session_factory() as session:
            known = VaultRepository(session).known_keys(keys)
        for key in keys:
            if key not in known:
                blobs.delete(key)
                deleted += 1
    log.info("vault.swept", aborted_uploads=aborted, deleted_objects=deleted)
    return aborted, deleted
