"""Where files live so that every web and worker machine reaches them: uploads, and e-mails written
without SMTP (letters are rows of their own). `FILE_STORAGE` picks the blob store:

database (default)  chunks in the `blobs`/`blob_chunks` tables
s3                  an S3-compatible bucket (`S3_BUCKET`, `S3_ENDPOINT_URL`, `S3_PREFIX`, `S3_REGION`)
disk                `UPLOAD_DIR` (one machine, or a mount every machine shares)

Files that earlier versions wrote to `UPLOAD_DIR` stay readable until `flask files migrate` moves them.
"""

from __future__ import annotations

from flask import Flask

from workflow.storage.blobs import BlobStore, DatabaseBlobs, DiskBlobs, StorageError

__all__ = ["BlobStore", "StorageError", "blobs_for", "file_store_for", "make_blobs"]
KINDS = ("database", "s3", "disk")


def make_blobs(config, engine) -> BlobStore:
    kind = (config.get("FILE_STORAGE") or "database").lower()
    if kind == "database":
        return DatabaseBlobs(engine)
    if kind == "disk":
        return DiskBlobs(config["UPLOAD_DIR"])
    if kind == "s3":
        from workflow.storage.s3 import S3Blobs

        if not config.get("S3_BUCKET"):
            raise RuntimeError("FILE_STORAGE=s3 needs S3_BUCKET")
        return S3Blobs(
            config["S3_BUCKET"],
            prefix=config.get("S3_PREFIX") or "",
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region=config.get("S3_REGION"),
        )
    raise RuntimeError(f"FILE_STORAGE must be one of {', '.join(KINDS)}, not {kind!r}")


def blobs_for(app: Flask) -> BlobStore:
    blobs = app.extensions.get("blobs")
    if blobs is None:
        blobs = app.extensions["blobs"] = make_blobs(app.config, app.extensions["workflow"].db)
    return blobs


def file_store_for(app: Flask):
    """The uploads store of this app: its blob store, reading files of earlier versions from UPLOAD_DIR."""
    from workflow.services.files import FileStore

    blobs = blobs_for(app)
    legacy = None if isinstance(blobs, DiskBlobs) else app.config.get("UPLOAD_DIR")
    return FileStore(blobs, legacy_dir=legacy, temp_dir=app.config.get("UPLOAD_TMP_DIR") or None)
