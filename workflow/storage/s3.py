"""An S3-compatible object store (AWS S3, MinIO, Ceph, ...) through boto3.

Objects are `<S3_PREFIX><sha[:2]>/<sha>`. Credentials come the usual boto3 ways (AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY, a profile, an instance role); they are never part of the app config.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from workflow.storage.blobs import CHUNK_BYTES, BlobStore, StorageError, is_sha256


class S3Blobs(BlobStore):
    name = "s3"

    def __init__(
        self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None
    ):
        import boto3
        from botocore.config import Config

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            config=Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 2}),
        )

    def key(self, sha256: str) -> str:
        if not is_sha256(sha256):
            raise ValueError("not a sha256")
        return f"{self.prefix}{sha256[:2]}/{sha256}"

    def _errors(self):
        from botocore.exceptions import BotoCoreError, ClientError

        return (BotoCoreError, ClientError)

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except self._errors() as error:
            if _status(error) == 404:
                return False
            raise StorageError(f"s3: {_kind(error)}") from error
        return True

    def put(self, sha256: str, source: BinaryIO, size: int) -> None:
        if self.exists(sha256):
            return
        try:
            self.client.upload_fileobj(source, self.bucket, self.key(sha256))
        except self._errors() as error:
            raise StorageError(f"s3: {_kind(error)}") from error

    def open(self, sha256: str) -> Iterator[bytes] | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        except self._errors() as error:
            if _status(error) == 404:
                return None
            raise StorageError(f"s3: {_kind(error)}") from error
        return self._stream(body)

    @staticmethod
    def _stream(body) -> Iterator[bytes]:
        try:
            yield from body.iter_chunks(CHUNK_BYTES)
        finally:
            body.close()

    def digests(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if is_sha256(name):
                    yield name


def _status(error) -> int | None:
    response = getattr(error, "response", None) or {}
    code = response.get("Error", {}).get("Code")
    if code in ("404", "NoSuchKey", "NotFound"):
        return 404
    return response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def _kind(error) -> str:
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code") or type(error).__name__
