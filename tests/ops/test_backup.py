"""Backup → restore into a fresh database → `audit verify` passes with the same chain heads."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests.conftest import POSTGRES_ADMIN_URL, _postgres_engine, _sqlite_engine
from tests.factories import PDF, reviewed_startup, submitted_startup
from tests.notices.conftest import make_app, people_on
from workflow.db import make_engine
from workflow.ops.backup import chain_heads
from workflow.storage import file_store_for


@pytest.fixture
def fresh_postgres():
    name = f"grants_restore_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=None, pool_size=1)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.mark.parametrize(
    "dialect, storage",
    [("sqlite", "disk"), pytest.param("postgres", "database", marks=pytest.mark.postgres)],
)
def test_backup_restore_verify_round_trip(dialect, storage, request, sqlite_template, tmp_path, clock):
    if dialect == "sqlite":
        source = _sqlite_engine(sqlite_template, tmp_path)
        target = make_engine(f"sqlite:///{tmp_path / 'restored.sqlite3'}")  # no file yet
    else:
        source = _postgres_engine(request.getfixturevalue("postgres_url"))
        target = request.getfixturevalue("fresh_postgres")
    settings = {"FILE_STORAGE": storage, "UPLOAD_DIR": str(tmp_path / "files-a")}
    app = make_app(source, tmp_path, clock, **settings)
    with app.app_context():
        store = file_store_for(app)
    workflow, people = app.extensions["workflow"], people_on(app)
    submitted_startup(workflow, people, store)
    awarded = reviewed_startup(workflow, people, store)
    assert workflow.fire(awarded, "select", people.officer).ok
    plan = store.save(PDF + b"only in this backup", "plan.pdf", accept=("pdf",))

    made = _invoke(app, "backup", "--dir", str(tmp_path / "backups"))
    assert made.exit_code == 0, made.output
    assert "2 application(s)" in made.output
    [folder] = (tmp_path / "backups").iterdir()
    refused = _invoke(app, "restore", str(folder))  # the source is not empty
    assert refused.exit_code == 1 and "already holds applications" in refused.output

    settings["UPLOAD_DIR"] = str(tmp_path / "files-b")
    restored_app = make_app(target, tmp_path, clock, **settings)
    restored = _invoke(restored_app, "restore", str(folder))
    assert restored.exit_code == 0, restored.output
    assert "every chain head matches" in restored.output
    verified = _invoke(restored_app, "audit", "verify")
    assert verified.exit_code == 0, verified.output

    with source.connect() as a, restored_app.extensions["workflow"].db.connect() as b:
        heads = chain_heads(a)
        assert chain_heads(b) == heads and len(heads) == 2
    with restored_app.app_context():
        assert file_store_for(restored_app).read(plan) == PDF + b"only in this backup"
    if storage == "disk":
        assert any((tmp_path / "files-b").rglob(plan["sha256"]))
    source.dispose()


def test_a_restore_that_does_not_match_its_manifest_says_so(sqlite_template, tmp_path, clock):
    import json

    source = _sqlite_engine(sqlite_template, tmp_path)
    app = make_app(source, tmp_path, clock)
    with app.app_context():
        submitted_startup(app.extensions["workflow"], people_on(app), file_store_for(app))
    assert _invoke(app, "backup", "--dir", str(tmp_path / "b")).exit_code == 0
    [folder] = (tmp_path / "b").iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["chain_heads"]["1"][1] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    target = make_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    result = _invoke(make_app(target, tmp_path, clock), "restore", str(folder))
    assert result.exit_code == 1 and "application 1: chain head" in result.output
    source.dispose()
