"""`flask files migrate`: move files earlier versions wrote to disk into the configured store."""

from __future__ import annotations

import hashlib
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from workflow.storage import blobs_for
from workflow.storage.blobs import DiskBlobs
from workflow.storage.mails import StoredMailer

files_group = AppGroup("files", help="Uploaded files and kept e-mails (the shared file store).")


@files_group.command(
    "migrate", help="Copy files from UPLOAD_DIR and e-mails from a mail folder into the store."
)
@click.option("--mail-dir", type=click.Path(file_okay=False, path_type=Path), help="Folder of .eml files.")
def migrate_command(mail_dir: Path | None) -> None:
    blobs = blobs_for(current_app)
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    if isinstance(blobs, DiskBlobs) and blobs.root.resolve() == upload_dir.resolve():
        click.echo("FILE_STORAGE is disk on UPLOAD_DIR itself: nothing to move", err=True)
        return
    copied = already = 0
    for path in sorted(upload_dir.glob("??/*")) if upload_dir.is_dir() else []:
        if not path.is_file() or path.name.startswith("."):
            continue
        sha256 = _sha256_of(path)
        if blobs.exists(sha256):
            already += 1
            continue
        with open(path, "rb") as source:
            blobs.put(sha256, source, path.stat().st_size)
        copied += 1
    click.echo(f"files: {copied} copied, {already} already stored (from {upload_dir})")
    mail_dir = mail_dir or Path(
        current_app.config.get("NOTICE_MAIL_DIR") or Path(current_app.instance_path) / "mail"
    )
    mails = 0
    mailer = StoredMailer(current_app.extensions["workflow"].db, blobs)
    for path in sorted(mail_dir.glob("*.eml")) if mail_dir.is_dir() else []:
        message = BytesParser(policy=policy.compat32).parsebytes(path.read_bytes())
        addresses = [address for _, address in getaddresses([str(message["To"] or "")]) if address]
        mailer.send(message, addresses[0] if addresses else "")
        mails += 1
    click.echo(f"e-mails: {mails} kept in the store (from {mail_dir})")
    click.echo("the files on disk were left in place: remove them once the pages show every file")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def register(app: Flask) -> None:
    app.cli.add_command(files_group)
