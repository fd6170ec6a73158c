"""Files every machine reaches: uploads and kept e-mails in the database (or an object store), streamed,
size-checked while reading, a clear error when the store fails, and a command moving files from disk."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select, update

from tests.conftest import People, child_env
from tests.factories import PDF
from tests.web.conftest import FAST_HASH, csrf_of, login, make_app
from tests.web.test_journeys import FORM_VALUES, _start, _version
from workflow.config import PROJECT_ROOT
from workflow.engine import records
from workflow.models import Blob, BlobChunk, StoredMail, User
from workflow.services.files import FileStore, UploadRejected
from workflow.storage.blobs import DatabaseBlobs, DiskBlobs

UPLOAD = textwrap.dedent(
    """
    import io, sys
    from types import SimpleNamespace
    from tests.web.conftest import csrf_of, login
    from tests.web.test_journeys import FORM_VALUES, _start, _version
    from workflow.app import create_app

    app = create_app("test", {"DATABASE_URL": sys.argv[1], "UPLOAD_DIR": "uploads"})
    client = app.test_client()
    login(client, SimpleNamespace(id=int(sys.argv[2])))
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    data = {**FORM_VALUES, "csrf_token": csrf_of(page.text), "row_version": _version(page.text)}
    data["business_plan"] = (io.BytesIO(open(sys.argv[3], "rb").read()), "사업계획서.pdf")
    response = client.post(f"/applications/{app_id}/form", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.status_code
    print(app_id)
    """
)
DOWNLOAD = textwrap.dedent(
    """
    import hashlib, re, sys
    from types import SimpleNamespace
    from tests.web.conftest import login
    from workflow.app import create_app

    app = create_app("test", {"DATABASE_URL": sys.argv[1], "UPLOAD_DIR": "uploads"})
    client = app.test_client()
    login(client, SimpleNamespace(id=int(sys.argv[2])))
    status = client.get(f"/applications/{sys.argv[3]}")
    link = re.search(r'href="(/applications/\\d+/files/\\w+)"', status.text).group(1)
    response = client.get(link)
    assert response.status_code == 200, response.status_code
    print(hashlib.sha256(response.data).hexdigest(), response.headers["Content-Disposition"])
    """
)


def _run(script: str, cwd, *args) -> str:
    env = child_env(PYTHONPATH=PROJECT_ROOT)
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_a_file_uploaded_through_one_process_is_served_by_another_in_another_directory(
    sqlite_engine, tmp_path
):
    people = People(sqlite_engine)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    content = PDF + os.urandom(2_500_000)  # three chunks of the database store
    (tmp_path / "upload.pdf").write_bytes(content)
    (tmp_path / "machine-a").mkdir()
    (tmp_path / "machine-b").mkdir()
    url = sqlite_engine.url.render_as_string(hide_password=False)

    app_id = _run(UPLOAD, tmp_path / "machine-a", url, people.applicant.id, tmp_path / "upload.pdf")
    served = _run(DOWNLOAD, tmp_path / "machine-b", url, people.officer.id, app_id)

    assert served.split()[0] == hashlib.sha256(content).hexdigest()
    assert "filename*=UTF-8''%EC%82%AC%EC%97%85" in served  # the Korean name survives
    assert not (tmp_path / "machine-a" / "uploads").exists()  # nothing on machine A's disk
    with sqlite_engine.connect() as connection:
        assert connection.execute(select(Blob.chunks, Blob.size)).one() == (3, len(content))


class CountingStream(io.RawIOBase):
    """A 50 MB upload that counts how much of it was read."""

    def __init__(self, size: int):
        self.size, self.read_bytes = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = (PDF * (n // len(PDF) + 1))[:n]
        self.read_bytes += n
        return n


def test_the_size_is_checked_while_reading_and_reading_stops_at_the_limit(sqlite_engine):
    stream = CountingStream(50 * 1024 * 1024)
    store = FileStore(DatabaseBlobs(sqlite_engine))
    with pytest.raises(UploadRejected) as refused:
        store.save(stream, "plan.pdf", accept=("pdf",), max_mb=1)
    assert refused.value.code == "file_size"
    assert stream.read_bytes <= 1024 * 1024 + 64 * 1024  # the limit and one read, not 50 MB
    with sqlite_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Blob)).scalar() == 0


def test_the_database_store_keeps_one_copy_per_content_in_chunks(sqlite_engine):
    blobs = DatabaseBlobs(sqlite_engine, chunk_bytes=10)
    store = FileStore(blobs)
    first = store.save(PDF, "a.pdf", accept=("pdf",))
    second = store.save(io.BytesIO(PDF), "b.pdf", accept=("pdf",))
    assert first["sha256"] == second["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert first["id"] != second["id"]  # each upload its own reference
    assert store.read(second) == PDF
    with sqlite_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Blob)).scalar() == 1
        assert connection.execute(select(func.count()).select_from(BlobChunk)).scalar() == -(-len(PDF) // 10)
    assert store.open({"sha256": "0" * 64, "id": "x"}) is None


def _uploads_form(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    data = {**FORM_VALUES, "csrf_token": csrf_of(page.text), "row_version": _version(page.text)}
    data["company_name"] = "새이름 주식회사"
    data["business_plan"] = (io.BytesIO(PDF), "plan.pdf")
    return app_id, client.post(f"/applications/{app_id}/form", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("broken", ["upload dir is a file", "temporary dir missing"])
def test_an_unusable_store_keeps_the_other_fields_and_says_so(sqlite_engine, clock, tmp_path, broken):
    not_a_dir = tmp_path / "not-a-dir"
    not_a_dir.write_text("a file where the folder should be")
    settings = (
        {"FILE_STORAGE": "disk", "UPLOAD_DIR": str(not_a_dir)}
        if broken == "upload dir is a file"
        else {"UPLOAD_TMP_DIR": str(tmp_path / "missing")}
    )
    app = make_app(sqlite_engine, clock, tmp_path, **settings)
    web_people = People(sqlite_engine)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    app_id, response = _uploads_form(app, app.test_client(), web_people)
    assert response.status_code == 200
    assert "지금은 파일을 저장할 수 없습니다. 다른 입력 내용은 저장되었으니" in response.text
    with sqlite_engine.connect() as connection:
        data = records.read_application(connection, app_id).data
    assert data["company_name"] == "새이름 주식회사" and "business_plan" not in data


def test_an_unreachable_store_on_download_is_a_503_not_a_500(app, client, web_people, store, monkeypatch):
    from tests.factories import submitted_startup
    from workflow.storage.blobs import StorageError

    app_id = submitted_startup(app.extensions["workflow"], web_people, store)
    login(client, web_people.applicant)
    link = re.search(r'href="(/applications/\d+/files/\w+)"', client.get(f"/applications/{app_id}").text)

    def unreachable(self, ref):
        raise StorageError("database: OperationalError")

    monkeypatch.setattr(FileStore, "open", unreachable)
    assert client.get(link.group(1)).status_code == 503


def test_mails_without_smtp_are_kept_in_the_database_for_every_machine(sqlite_engine, clock, tmp_path, store):
    from tests.factories import submitted_startup

    app = make_app(
        sqlite_engine, clock, tmp_path, NOTICE_MAIL_DIR="", STAFF_NOTICES=False
    )  # the applicant's only
    web_people = People(sqlite_engine)
    submitted_startup(app.extensions["workflow"], web_people, store)
    with sqlite_engine.connect() as connection:
        [mail] = connection.execute(select(StoredMail)).mappings().all()
    assert mail["to_address"] == "applicant@test.kr" and mail["recipient_user_id"] == web_people.applicant.id
    assert not (tmp_path / "mail").exists()

    other_machine = make_app(sqlite_engine, clock, tmp_path / "elsewhere", NOTICE_MAIL_DIR="")
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    client = other_machine.test_client()
    login(client, web_people.applicant)
    page = client.get("/notices/mail")
    assert mail["subject"] in page.text
    assert str(tmp_path) not in page.text  # no folder path on the page


def test_files_and_mails_on_disk_move_into_the_store(sqlite_engine, clock, tmp_path, store):
    from tests.factories import submitted_startup

    legacy = FileStore(DiskBlobs(tmp_path / "uploads"))
    app = make_app(
        sqlite_engine, clock, tmp_path, STAFF_NOTICES=False
    )  # UPLOAD_DIR, NOTICE_MAIL_DIR in tmp_path
    web_people = People(sqlite_engine)
    app_id = submitted_startup(app.extensions["workflow"], web_people, legacy)
    old_id_file = tmp_path / "uploads" / "ab" / "ab12cd34"  # as versions before 0.2 named them
    old_id_file.parent.mkdir(parents=True, exist_ok=True)
    old_id_file.write_bytes(b"%PDF-1.4 old")
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1

    result = app.test_cli_runner().invoke(args=["files", "migrate", "--mail-dir", str(tmp_path / "mail")])
    assert result.exit_code == 0, result.output
    assert "files: 2 copied, 0 already stored" in result.output
    assert "e-mails: 1 kept" in result.output
    again = app.test_cli_runner().invoke(args=["files", "migrate", "--mail-dir", str(tmp_path / "mail")])
    assert "files: 0 copied, 2 already stored" in again.output

    blobs = DatabaseBlobs(sqlite_engine)
    with sqlite_engine.connect() as connection:
        ref = records.read_application(connection, app_id).data["business_plan"]
        [mail] = connection.execute(select(StoredMail)).mappings().all()
    assert blobs.read(ref["sha256"]) == PDF
    assert blobs.exists(hashlib.sha256(b"%PDF-1.4 old").hexdigest())
    assert mail["recipient_user_id"] == web_people.applicant.id
