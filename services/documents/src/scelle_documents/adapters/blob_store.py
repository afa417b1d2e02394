"""The vault's bytes on S3 (boto3): streamed multipart uploads, ranged streamed reads, the sweeper.

Nothing here holds a whole file: an upload keeps at most ``concurrency + 1`` parts in memory
(parts are uploaded by a small thread pool while the next one is read), a read yields the S3
body chunk by chunk. Object keys are random; bucket and prefix come from settings. A failed or
interrupted upload is aborted on the spot; :meth:`S3BlobStore.abort_stale_uploads` (the sweeper)
clears what a killed process could not.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from scelle_documents.domain.errors import FileTooLarge, IncompleteUpload, InvalidFile, StorageUnavailable
from scelle_documents.domain.files import SNIFF_BYTES

READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str
    head: bytes


@dataclass
class BlobReader:
    """An open object: its full size, the range served, and its bytes as chunks."""

    size: int
    length: int
    content_range: str | None
    chunks: Iterator[bytes]
    close: Callable[[], None]


class BlobStore(Protocol):
    def new_key(self) -> str: ...
    def put_stream(self, key: str, read: Callable[[int], bytes], *, max_bytes: int,
                   expected_size: int | None = None) -> StoredObject: ...
    def open(self, key: str, byte_range: tuple[int, int] | None = None) -> BlobReader:
        """Open ``key`` (optionally bytes ``start..end`` inclusive) for streaming.

        The first part is requested at once (so a missing object or an S3 outage is known before
        any byte is sent); the following parts are fetched by ``concurrency`` threads ahead of the
        reader, in order, at most ``concurrency`` parts in memory: one S3 stream alone is slower
        than what the gateway can carry.
        """
        start = byte_range[0] if byte_range else 0
        first_end = start + self._part_bytes - 1
        if byte_range is not None:
            first_end = min(first_end, byte_range[1])
        try:
            answer = self._client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{first_end}")
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error
        body = answer["Body"]
        total = int(str(answer["ContentRange"]).rsplit("/", 1)[1])
        end = byte_range[1] if byte_range is not None else total - 1
        received_end = start + int(answer["ContentLength"]) - 1
        ranges = [(offset, min(offset + self._part_bytes - 1, end))
                  for offset in range(received_end + 1, end + 1, self._part_bytes)]

        def chunks() -> Iterator[bytes]:
            pool = ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="s3-read")
            pending: list[Future[bytes]] = []
            upcoming = iter(ranges)
            try:
                for bounds in upcoming:
                    pending.append(pool.submit(self._read_range, key, bounds))
                    if len(pending) >= self._concurrency:
                        break
                yield from body.iter_chunks(READ_CHUNK)
                while pending:
                    data = pending.pop(0).result()
                    following = next(upcoming, None)
                    if following is not None:
                        pending.append(pool.submit(self._read_range, key, following))
                    yield data  # whole: slicing would copy every byte once more
                    del data
            finally:
                body.close()
                for future in pending:
                    future.cancel()
                pool.shutdown(wait=False, cancel_futures=True)

        return BlobReader(size=total, length=end - start + 1,
                          content_range=f"bytes {start}-{end}/{total}" if byte_range is not None else None,
                          chunks=chunks(), close=body.close)

    def _read_range(self, key: str, bounds: tuple[int, int]) -> bytes:
        try:
            answer = self._client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={bounds[0]}-{bounds[1]}")
            return bytes(answer["Body"].read())
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error

    def presigned_get(self, key: str, expires_in: int = 300) -> str:
        """A short-lived GET URL of ``key`` (signed locally, no request to S3)."""
        try:
            return str(self._client.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                           ExpiresIn=expires_in))
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error

    def size_of(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...


def _unavailable(error: Exception) -> StorageUnavailable:
    return StorageUnavailable("Le stockage des documents ne répond pas ; rien n'a été enregistré.",
                              cause=type(error).__name__)


def _is_server_side(error: ClientError) -> bool:
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
    return int(status) >= 500


class S3BlobStore:
    """:class:`BlobStore` on an S3-compatible server."""

    def __init__(self, *, endpoint_url: str, access_key: str, secret_key: str, region: str, bucket: str,
                 prefix: str, server_side_encryption: bool = True, part_bytes: int = 8 * 1024 * 1024,
                 concurrency: int = 2, connect_timeout: float = 3.0, read_timeout: float = 60.0) -> None:
        if part_bytes < 5 * 1024 * 1024:
            raise ValueError("S3 parts are at least 5 MiB")
        self.bucket = bucket
        self.prefix = prefix
        self._sse = server_side_encryption
        self._part_bytes = part_bytes
        self._concurrency = max(1, concurrency)
        self._client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            region_name=region,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                          connect_timeout=connect_timeout, read_timeout=read_timeout,
                          retries={"max_attempts": 2, "mode": "standard"},
                          max_pool_connections=max(10, concurrency * 2),
                          request_checksum_calculation="when_required",
                          response_checksum_validation="when_required"),
        )
        self._bucket_ready = False

    @property
    def client(self) -> Any:
        return self._client

    def new_key(self) -> str:
        """A random object key under the configured prefix (never derived from user input)."""
        token = uuid.uuid4().hex
        return f"{self.prefix}{token[:2]}/{token}"

    def ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                raise _unavailable(error) from error
            try:
                self._client.create_bucket(Bucket=self.bucket)
            except ClientError as create_error:
                if create_error.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou",
                                                                              "BucketAlreadyExists"):
                    raise _unavailable(create_error) from create_error
        except BotoCoreError as error:
            raise _unavailable(error) from error
        self._bucket_ready = True

    def check(self) -> None:
        """Readiness: the bucket exists and answers (raises otherwise)."""
        if not self._bucket_ready:
            self.ensure_bucket()
        else:
            self._client.head_bucket(Bucket=self.bucket)

    def put_stream(self, key: str, read: Callable[[int], bytes], *, max_bytes: int,
                   expected_size: int | None = None) -> StoredObject:
        """Stream ``read`` into object ``key`` through SHA-256; abort the upload on any failure.

        ``expected_size`` is the announced length (Content-Length): a body that ends before it is a
        client gone away (gunicorn hands a short body over without an error), never a document.
        """
        self.ensure_bucket()
        extra = {"ServerSideEncryption": "AES256"} if self._sse else {}
        try:
            upload_id = self._client.create_multipart_upload(Bucket=self.bucket, Key=key, **extra)["UploadId"]
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error
        try:
            return self._upload_parts(key, upload_id, read, max_bytes, expected_size)
        except BaseException:
            self._abort(key, upload_id)
            raise

    def _upload_parts(self, key: str, upload_id: str, read: Callable[[int], bytes], max_bytes: int,
                      expected_size: int | None) -> StoredObject:
        digest = hashlib.sha256()
        size = 0
        head = bytearray()
        parts: list[Future[dict[str, Any]]] = []
        buffer = bytearray()
        with ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="s3-part") as pool:

            def send(data: bytearray) -> None:
                # Bound memory: wait for the oldest part in flight before queueing another.
                in_flight = [future for future in parts if not future.done()]
                if len(in_flight) >= self._concurrency:
                    in_flight[0].result()
                number = len(parts) + 1
                parts.append(pool.submit(self._upload_part, key, upload_id, number, data))

            try:
                while True:
                    chunk = read(READ_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(f"Le fichier dépasse la taille maximale de {max_bytes} octets.",
                                           limit=max_bytes)
                    digest.update(chunk)
                    if len(head) < SNIFF_BYTES:
                        head += chunk[: SNIFF_BYTES - len(head)]
                    buffer += chunk
                    if len(buffer) >= self._part_bytes:
                        send(buffer)  # handed over whole (botocore sends a bytearray as is): no copy
                        buffer = bytearray()
                if expected_size is not None and size != expected_size:
                    raise IncompleteUpload(f"Le corps s'est arrêté à {size} octets sur {expected_size} annoncés.")
                if size == 0:
                    raise InvalidFile("Un fichier vide ne peut pas être déposé.", rule="empty")
                if buffer or not parts:
                    send(buffer)
                    buffer = bytearray()
                completed = [future.result() for future in parts]
            except BaseException:
                for future in parts:
                    future.cancel()
                raise
        try:
            self._client.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                                   MultipartUpload={"Parts": completed})
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error
        return StoredObject(key=key, size=size, sha256=digest.hexdigest(), head=bytes(head))

    def _upload_part(self, key: str, upload_id: str, number: int, data: bytearray) -> dict[str, Any]:
        try:
            answer = self._client.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                              PartNumber=number, Body=data)
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error
        return {"PartNumber": number, "ETag": answer["ETag"]}

    def _abort(self, key: str, upload_id: str) -> None:
        try:
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except (BotoCoreError, ClientError):
            pass  # S3 is down: the sweeper aborts it later

    def open(self, key: str, byte_range: tuple[int, int] | None = None) -> BlobReader:
        """Open ``key`` (optionally bytes ``start..end`` inclusive) for streaming."""
        arguments: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if byte_range is not None:
            arguments["Range"] = f"bytes={byte_range[0]}-{byte_range[1]}"
        try:
            answer = self._client.get_object(**arguments)
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error
        body = answer["Body"]
        content_range = answer.get("ContentRange")
        size = int(content_range.rsplit("/", 1)[1]) if content_range else int(answer["ContentLength"])

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(READ_CHUNK)
            finally:
                body.close()

        return BlobReader(size=size, length=int(answer["ContentLength"]), content_range=content_range,
                          chunks=chunks(), close=body.close)

    def presigned_get(self, key: str, expires_in: int = 300) -> str:
        """A short-lived GET URL of ``key`` (signed locally, no request to S3)."""
        try:
            return str(self._client.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                           ExpiresIn=expires_in))
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error

    def size_of(self, key: str) -> int:
        try:
            return int(self._client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except (BotoCoreError, ClientError) as error:
            raise _unavailable(error) from error

    def delete(self, key: str) -> None:
        try:
            self._client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError):
            pass  # left for the sweeper (an object without a row)

    def stale_uploads(self, older_than: datetime) -> list[tuple[str, str]]:
        """``(key, upload_id)`` of multipart uploads under the prefix started before ``older_than``."""
        found: list[tuple[str, str]] = []
        paginator = self._client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < older_than:
                    found.append((upload["Key"], upload["UploadId"]))
        return found

    def abort_stale_uploads(self, older_than: datetime) -> int:
        """Abort multipart uploads started before ``older_than``; returns how many."""
        stale = self.stale_uploads(older_than)
        for key, upload_id in stale:
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        return len(stale)

    def objects_before(self, older_than: datetime) -> Iterator[list[str]]:
        """Keys under the prefix last written before ``older_than``, page by page."""
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            keys = [item["Key"] for item in page.get("Contents", []) if item["LastModified"] < older_than]
            if keys:
                yield keys
