"""Uploaded files: streamed to a temporary file with the size checked while reading, checked by content
not by name, then stored by content hash in the blob store every machine reaches (workflow/storage)."""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from workflow.ops.failures import log_once_per_kind
from workflow.storage.blobs import BlobStore, DiskBlobs, StorageError

log = logging.getLogger(__name__)

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "hwp": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
}
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
READ_BYTES = 64 * 1024
SNIFF_BYTES = 16


class UploadRejected(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def sniff_matches(content: bytes, extension: str) -> bool:
    """True if the bytes look like the claimed type (a .pdf must start like a PDF)."""
    signatures = SIGNATURES.get(extension)
    return signatures is None or any(content.startswith(s) for s in signatures)


class FileStore:
    """`save` an upload, `open` a stored one. `legacy_dir`: a folder of files written to disk (by
    earlier versions, `<dir>/<id[:2]>/<id>`, or by a disk store), read until `flask files migrate` has
    moved them."""

    def __init__(self, blobs: BlobStore | str | Path, legacy_dir: str | Path | None = None, temp_dir=None):
        self.blobs = DiskBlobs(blobs) if isinstance(blobs, (str, Path)) else blobs
        self.legacy_dir = Path(legacy_dir) if legacy_dir else None
        self.temp_dir = temp_dir

    def save(self, source: bytes | BinaryIO, filename: str, accept=(), max_mb: int | None = None) -> dict:
        """Check and store an upload; the reference kept in the application's data. Raises
        UploadRejected (file_type, file_size, or file_storage when the store cannot take it now)."""
        extension = extension_of(filename)
        if accept and extension not in accept:
            raise UploadRejected("file_type", accept=", ".join(accept))
        limit = max_mb * 1024 * 1024 if max_mb else None
        stream = _as_stream(source)
        with self._temporary_file() as spool:
            digest, size, head = hashlib.sha256(), 0, b""
            while chunk := stream.read(READ_BYTES):
                size += len(chunk)
                if limit is not None and size > limit:
                    raise UploadRejected("file_size", max_mb=max_mb)  # stop reading: never the whole body
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                digest.update(chunk)
                try:
                    spool.write(chunk)
                except OSError:
                    raise UploadRejected("file_storage") from None
            if not size or not sniff_matches(head, extension):
                raise UploadRejected("file_type", accept=", ".join(accept or [extension]))
            sha256 = digest.hexdigest()
            spool.seek(0)
            try:
                self.blobs.put(sha256, spool, size)
            except StorageError as error:
                log_once_per_kind(log, "file_store", error, "file store cannot take uploads: %s", error)
                raise UploadRejected("file_storage") from None
        return {
            "id": f"{sha256[:16]}{secrets.token_hex(4)}",
            "name": Path(filename).name[-200:],
            "size": size,
            "sha256": sha256,
            "content_type": CONTENT_TYPES.get(extension, "application/octet-stream"),
        }

    def _temporary_file(self):
        try:
            return tempfile.TemporaryFile(dir=self.temp_dir)
        except OSError:
            raise UploadRejected("file_storage") from None

    def open(self, ref: dict) -> Iterator[bytes] | None:
        """The stored content of a reference, in chunks (None if it is nowhere). Raises StorageError."""
        sha256 = str(ref.get("sha256") or "")
        chunks = self.blobs.open(sha256) if len(sha256) == 64 else None
        if chunks is None and self.legacy_dir is not None:
            for path in self.legacy_paths(ref):
                if path.is_file():
                    return DiskBlobs._stream(path)
        return chunks

    def read(self, ref: dict) -> bytes | None:
        chunks = self.open(ref)
        return None if chunks is None else b"".join(chunks)

    def legacy_paths(self, ref: dict) -> list[Path]:
        """Where a file on disk may be: by content hash (a disk store) or by id (before version 0.2)."""
        names = [str(ref.get("sha256") or ""), str(ref.get("id") or "")]
        return [self.legacy_dir / name[:2] / name for name in names if name.isalnum()]


def _as_stream(source: bytes | BinaryIO) -> BinaryIO:
    if isinstance(source, (bytes, bytearray)):
        import io

        return io.BytesIO(source)
    return source
