"""Uploaded files: stored outside static/, named by content hash, checked by content not by name."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

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
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def save(self, content: bytes, filename: str, accept=(), max_mb: int | None = None) -> dict:
        extension = extension_of(filename)
        if accept and extension not in accept:
            raise UploadRejected("file_type", accept=", ".join(accept))
        if max_mb and len(content) > max_mb * 1024 * 1024:
            raise UploadRejected("file_size", max_mb=max_mb)
        if not content or not sniff_matches(content, extension):
            raise UploadRejected("file_type", accept=", ".join(accept or [extension]))
        digest = hashlib.sha256(content).hexdigest()
        file_id = f"{digest[:16]}{secrets.token_hex(4)}"
        path = self.path(file_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        safe_name = Path(filename).name[-200:]
        return {
            "id": file_id,
            "name": safe_name,
            "size": len(content),
            "sha256": digest,
            "content_type": CONTENT_TYPES.get(extension, "application/octet-stream"),
        }

    def path(self, file_id: str) -> Path:
        if not file_id.isalnum():
            raise ValueError("bad file id")
        return self.root / file_id[:2] / file_id

    def read(self, file_id: str) -> bytes:
        return self.path(file_id).read_bytes()
