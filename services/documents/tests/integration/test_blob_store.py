"""The S3 blob store against the real S3 server: streaming multipart, ranges, aborts, the sweeper."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from scelle_documents.adapters.blob_store import S3BlobStore
from scelle_documents.domain.errors import FileTooLarge, InvalidFile

MIB = 1024 * 1024


@pytest.fixture
def store(s3_endpoint) -> S3BlobStore:  # noqa: ANN001
    return S3BlobStore(endpoint_url=s3_endpoint.url, access_key=s3_endpoint.access_key,
                       secret_key=s3_endpoint.secret_key, region=s3_endpoint.region,
                       bucket=f"blobs-{uuid.uuid4().hex[:10]}", prefix="vault/", part_bytes=5 * MIB)


def uploads(store: S3BlobStore) -> list[dict]:
    return store.client.list_multipart_uploads(Bucket=store.bucket, Prefix=store.prefix).get("Uploads", [])


def test_a_stream_is_stored_in_parts_hashed_and_read_back_by_range(store):
    data = bytes(range(256)) * (12 * MIB // 256) + b"tail"
    key = store.new_key()
    stored = store.put_stream(key, io.BytesIO(data).read, max_bytes=100 * MIB)
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.head == data[:4096]
    reader = store.open(key)
    assert b"".join(reader.chunks) == data and reader.size == len(data)
    ranged = store.open(key, (5 * MIB - 2, 5 * MIB + 1))
    assert b"".join(ranged.chunks) == data[5 * MIB - 2: 5 * MIB + 2]
    assert ranged.content_range == f"bytes {5 * MIB - 2}-{5 * MIB + 1}/{len(data)}"
    head = store.client.head_object(Bucket=store.bucket, Key=key)
    assert head.get("ServerSideEncryption") == "AES256"
    assert uploads(store) == []


def test_keys_are_random_and_under_the_prefix(store):
    keys = {store.new_key() for _ in range(100)}
    assert len(keys) == 100 and all(key.startswith("vault/") for key in keys)


def test_a_failing_reader_aborts_the_upload(store):
    sent = [0]

    def read(size: int) -> bytes:
        sent[0] += 1
        if sent[0] > 8:
            raise OSError("client went away")
        return b"x" * size

    with pytest.raises(OSError):
        store.put_stream(store.new_key(), read, max_bytes=100 * MIB)
    assert uploads(store) == []


def test_too_large_and_empty_streams_are_refused_and_aborted(store):
    with pytest.raises(FileTooLarge):
        store.put_stream(store.new_key(), io.BytesIO(b"x" * (6 * MIB)).read, max_bytes=6 * MIB - 1)
    with pytest.raises(InvalidFile):
        store.put_stream(store.new_key(), io.BytesIO(b"").read, max_bytes=MIB)
    assert uploads(store) == []


def test_the_sweeper_aborts_uploads_older_than_the_grace_period(store):
    store.ensure_bucket()
    key = store.new_key()
    store.client.create_multipart_upload(Bucket=store.bucket, Key=key)
    assert store.abort_stale_uploads(datetime.now(UTC) - timedelta(minutes=5)) == 0
    assert store.abort_stale_uploads(datetime.now(UTC) + timedelta(minutes=1)) == 1
    assert uploads(store) == []
