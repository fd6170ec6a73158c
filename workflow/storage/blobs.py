"""Blob stores: content named by its sha256, written from a file and read back in chunks.

`DatabaseBlobs` (the default: every web and worker machine reaches the database), `DiskBlobs` (one machine,
or a shared mount), `S3Blobs` (workflow/storage/s3.py). Every failure to store or read comes out as
`StorageError`, whatever the backend, so callers handle one kind.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from workflow.db import utcnow
from workflow.models import Blob, BlobChunk

CHUNK_BYTES = 1024 * 1024


class StorageError(Exception):
    """The store could not write or read (unreachable, full, no permission); the text names the kind."""


def is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


class BlobStore:
    name = "abstract"

    def put(self, sha256: str, source: BinaryIO, size: int) -> None:
        """Store the bytes of `source` (positioned at 0) under `sha256`; nothing if already there."""
        raise NotImplementedError

    def open(self, sha256: str) -> Iterator[bytes] | None:
        """The content in chunks, or None if nothing is stored under `sha256`."""
        raise NotImplementedError

    def exists(self, sha256: str) -> bool:
        raise NotImplementedError

    def digests(self) -> Iterator[str]:
        """Every stored sha256 (backups, migrations)."""
        raise NotImplementedError

    def read(self, sha256: str) -> bytes | None:
        chunks = self.open(sha256)
        return None if chunks is None else b"".join(chunks)

    def read_in(self, connection, sha256: str) -> bytes | None:
        """`read`, on the caller's database connection where the store is the database."""
        return self.read(sha256)


def _chunks_of(source: BinaryIO, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    while chunk := source.read(size):
        yield chunk


class DatabaseBlobs(BlobStore):
    name = "database"
    _chunk = select(BlobChunk.data).where(
        BlobChunk.sha256 == bindparam("b_sha"), BlobChunk.seq == bindparam("b_seq")
    )

    def __init__(self, engine, chunk_bytes: int = CHUNK_BYTES):
        self.engine, self.chunk_bytes = engine, chunk_bytes

    def exists(self, sha256: str) -> bool:
        try:
            with self.engine.connect() as connection:
                return (
                    connection.execute(select(Blob.sha256).where(Blob.sha256 == sha256)).first() is not None
                )
        except SQLAlchemyError as error:
            raise StorageError(f"database: {type(error).__name__}") from error

    def put(self, sha256: str, source: BinaryIO, size: int) -> None:
        if self.exists(sha256):
            return
        try:
            with self.engine.begin() as connection:
                # the blob row first: a second writer of the same content stops at its primary key
                connection.execute(
                    insert(Blob).values(sha256=sha256, size=size, chunks=0, created_at=utcnow())
                )
                count = 0
                for count, chunk in enumerate(_chunks_of(source, self.chunk_bytes), start=1):
                    connection.execute(insert(BlobChunk).values(sha256=sha256, seq=count - 1, data=chunk))
                connection.execute(Blob.__table__.update().where(Blob.sha256 == sha256).values(chunks=count))
        except IntegrityError:
            if not self.exists(sha256):
                raise StorageError("database: IntegrityError") from None
        except SQLAlchemyError as error:
            raise StorageError(f"database: {type(error).__name__}") from error

    def open(self, sha256: str) -> Iterator[bytes] | None:
        try:
            with self.engine.connect() as connection:
                chunks = connection.execute(select(Blob.chunks).where(Blob.sha256 == sha256)).scalar()
        except SQLAlchemyError as error:
            raise StorageError(f"database: {type(error).__name__}") from error
        if chunks is None:
            return None
        return self._stream(sha256, chunks)

    def _stream(self, sha256: str, chunks: int) -> Iterator[bytes]:
        # one short read per chunk: a slow download never holds a connection or a whole file
        for seq in range(chunks):
            with self.engine.connect() as connection:
                yield connection.execute(self._chunk, {"b_sha": sha256, "b_seq": seq}).scalar_one()

    def read_in(self, connection, sha256: str) -> bytes | None:
        chunks = connection.execute(
            select(BlobChunk.data).where(BlobChunk.sha256 == sha256).order_by(BlobChunk.seq)
        ).scalars()
        content = b"".join(chunks)
        if (
            not content
            and connection.execute(select(Blob.size).where(Blob.sha256 == sha256)).scalar() is None
        ):
            return None
        return content

    def digests(self) -> Iterator[str]:
        with self.engine.connect() as connection:
            yield from connection.execute(select(Blob.sha256).order_by(Blob.sha256)).scalars().all()

    def delete(self, sha256: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(BlobChunk).where(BlobChunk.sha256 == sha256))
            connection.execute(delete(Blob).where(Blob.sha256 == sha256))


class DiskBlobs(BlobStore):
    """`<root>/<sha[:2]>/<sha>`, written to a temporary name and renamed (a reader never sees half)."""

    name = "disk"

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError("not a sha256")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, sha256: str, source: BinaryIO, size: int) -> None:
        target = self.path(sha256)
        partial = target.with_name(f".{sha256}.{os.getpid()}.part")
        try:
            if target.is_file():
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as out:
                for chunk in _chunks_of(source):
                    out.write(chunk)
            partial.replace(target)
        except OSError as error:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise StorageError(f"disk: {error.strerror or type(error).__name__}") from error

    def open(self, sha256: str) -> Iterator[bytes] | None:
        path = self.path(sha256)
        if not path.is_file():
            return None
        return self._stream(path)

    @staticmethod
    def _stream(path: Path) -> Iterator[bytes]:
        with open(path, "rb") as source:
            yield from _chunks_of(source)

    def digests(self) -> Iterator[str]:
        if self.root.is_dir():
            for path in sorted(self.root.glob("??/*")):
                if is_sha256(path.name):
                    yield path.name


class ChunkReader(io.RawIOBase):
    """A read-only file over an iterator of chunks, for `send_file` (which streams a file object)."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks, self._rest = iter(chunks), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._rest:
            try:
                self._rest = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._rest))
        buffer[:size], self._rest = self._rest[:size], self._rest[size:]
        return size

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        super().close()
