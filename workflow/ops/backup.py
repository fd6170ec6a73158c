"""Backup and restore of the database and the files, as one folder per backup:

    grants-<UTC time>/database.sqlite3 | database.dump   SQLite online backup API | pg_dump -Fc
                     files/<sha[:2]>/<sha>              blobs of an S3 or disk store (a database store
                                                        travels inside the database)
                     manifest.json                      when, schema revision, chain heads, file count

A restore writes into the configured database (which must be empty unless forced) and store, and
compares every application's chain head with the manifest; `flask audit verify` then walks the chains.
The PostgreSQL password goes to pg_dump/pg_restore through the environment, never the command line.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from workflow.models import Application
from workflow.storage.blobs import DatabaseBlobs, DiskBlobs

FORMAT = 1


class BackupError(Exception):
    pass


def chain_heads(connection) -> dict[str, list]:
    """application id → [history length, hash of its last event]: what a restore must reproduce."""
    rows = connection.execute(
        select(Application.id, Application.history_seq, Application.history_head).order_by(Application.id)
    )
    return {str(row.id): [row.history_seq, row.history_head] for row in rows}


def _schema_revisions(connection) -> list[str]:
    if not inspect(connection).has_table("alembic_version"):
        return []
    return sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _pg_command(engine) -> tuple[str, dict]:
    """A libpq URI without the password, and an environment carrying it."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


@dataclass
class BackupReport:
    folder: Path
    applications: int
    files: int


def backup(engine, blobs, target_dir: str | Path, now: datetime | None = None) -> BackupReport:
    now = now or datetime.now(UTC)
    folder = Path(target_dir) / f"grants-{now.strftime('%Y%m%dT%H%M%SZ')}"
    folder.mkdir(parents=True, exist_ok=False)
    partial = True
    try:
        with engine.connect() as connection:
            heads = chain_heads(connection)
            revisions = _schema_revisions(connection)
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(engine.url.database)
            target = sqlite3.connect(folder / "database.sqlite3")
            with target:
                source.backup(target)  # online: a consistent copy while others keep writing
            source.close()
            target.close()
            database = "database.sqlite3"
        else:
            uri, env = _pg_command(engine)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-acl",
                    "--file",
                    str(folder / "database.dump"),
                    uri,
                ],
                env,
            )
            database = "database.dump"
        files = 0
        if not isinstance(blobs, DatabaseBlobs):
            mirror = DiskBlobs(folder / "files")
            for sha256 in blobs.digests():
                chunks = blobs.open(sha256)
                if chunks is None:
                    continue
                path = mirror.path(sha256)
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "wb") as out:
                    for chunk in chunks:
                        out.write(chunk)
                files += 1
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "dialect": engine.dialect.name,
            "database": database,
            "schema": revisions,
            "file_storage": blobs.name,
            "files": files,
            "chain_heads": heads,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial = False
    finally:
        if partial:
            shutil.rmtree(folder, ignore_errors=True)
    return BackupReport(folder, len(heads), files)


def read_manifest(folder: str | Path) -> dict:
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        raise BackupError(f"no manifest.json in {folder}: not a backup folder")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    return manifest


def is_empty(engine) -> bool:
    with engine.connect() as connection:
        if not inspect(connection).has_table("applications"):
            return True
        return connection.execute(select(Application.id).limit(1)).first() is None


def restore(engine, blobs, folder: str | Path, force: bool = False) -> list[str]:
    """Restore a backup folder into `engine`'s database and `blobs`; the problems found afterwards
    (chain heads differing from the manifest), empty when it matches."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest["dialect"] != engine.dialect.name:
        raise BackupError(f"a {manifest['dialect']} backup cannot be restored into {engine.dialect.name}")
    if not force and not is_empty(engine):
        raise BackupError(
            "the target database already holds applications; restore into an empty one or --force"
        )
    engine.dispose()  # no pooled connection may hold the old database open
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(folder / manifest["database"])
        target = sqlite3.connect(engine.url.database)
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        uri, env = _pg_command(engine)
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
             "--dbname", uri, str(folder / manifest["database"])],
            env,
        )  # fmt: skip
    mirror = DiskBlobs(folder / "files")
    for sha256 in mirror.digests():
        with open(mirror.path(sha256), "rb") as source_file:
            blobs.put(sha256, source_file, mirror.path(sha256).stat().st_size)
    engine.dispose()
    with engine.connect() as connection:
        heads = chain_heads(connection)
    expected = manifest["chain_heads"]
    problems = [
        f"application {app_id}: chain head {heads.get(app_id)} differs from the backup's {head}"
        for app_id, head in expected.items()
        if heads.get(app_id) != head
    ]
    problems += [f"application {app_id}: not in the backup" for app_id in heads.keys() - expected.keys()]
    return problems
