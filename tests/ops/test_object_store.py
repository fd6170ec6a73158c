"""The S3-compatible store, against moto's S3 server over HTTP (boto3 as in production)."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from sqlalchemy import update

from tests.conftest import People
from tests.factories import PDF
from tests.notices.conftest import free_port
from tests.web.conftest import FAST_HASH, csrf_of, login, make_app
from tests.web.test_journeys import FORM_VALUES, _start, _version
from workflow.models import User

moto_server = pytest.importorskip("moto.server")


@pytest.fixture
def s3(monkeypatch):
    import boto3

    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_DEFAULT_REGION": "ap-northeast-2",
    }.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    bucket = f"grants-files-{uuid.uuid4().hex[:8]}"  # moto keeps buckets per process
    boto3.client("s3", endpoint_url=endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"}
    )
    yield {"FILE_STORAGE": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": endpoint, "S3_PREFIX": "up/"}
    server.stop()


def _upload(app, people):
    client = app.test_client()
    login(client, people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    data = {**FORM_VALUES, "csrf_token": csrf_of(page.text), "row_version": _version(page.text)}
    data["business_plan"] = (io.BytesIO(PDF + b"x" * 3000), "plan.pdf")
    return app_id, client.post(f"/applications/{app_id}/form", data=data, content_type="multipart/form-data")


def test_files_go_to_the_bucket_and_another_app_serves_them(sqlite_engine, clock, tmp_path, s3):
    import boto3

    app = make_app(sqlite_engine, clock, tmp_path / "a", **s3)
    people = People(sqlite_engine)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    app_id, response = _upload(app, people)
    assert response.status_code == 200 and "지금은 파일을 저장할 수 없습니다" not in response.text
    keys = [o["Key"] for o in boto3.client("s3", endpoint_url=s3["S3_ENDPOINT_URL"]).list_objects_v2(
        Bucket=s3["S3_BUCKET"])["Contents"]]  # fmt: skip
    assert len(keys) == 1 and keys[0].startswith("up/")

    other = make_app(sqlite_engine, clock, tmp_path / "b", **s3)
    client = other.test_client()
    login(client, people.officer)
    link = re.search(r'href="(/applications/\d+/files/\w+)"', client.get(f"/applications/{app_id}").text)
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.data == PDF + b"x" * 3000


def test_an_unreachable_bucket_keeps_the_other_fields(sqlite_engine, clock, tmp_path, s3):
    s3["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    app = make_app(sqlite_engine, clock, tmp_path, **s3)
    people = People(sqlite_engine)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    app_id, response = _upload(app, people)
    assert response.status_code == 200
    assert "지금은 파일을 저장할 수 없습니다" in response.text
    assert 'value="헬스온 주식회사"' in response.text


def test_the_bucket_store_itself_against_the_s3_server(s3):
    import hashlib

    from workflow.storage.blobs import StorageError
    from workflow.storage.s3 import S3Blobs

    store = S3Blobs(s3["S3_BUCKET"], prefix="t/", endpoint_url=s3["S3_ENDPOINT_URL"])
    content = b"%PDF-1.4 bucket" * 100
    sha = hashlib.sha256(content).hexdigest()
    assert not store.exists(sha) and store.open(sha) is None
    store.put(sha, io.BytesIO(content), len(content))
    store.put(sha, io.BytesIO(b"ignored: the same digest is stored once"), 1)
    assert store.exists(sha) and b"".join(store.open(sha)) == content
    assert list(store.digests()) == [sha]
    with pytest.raises(ValueError):
        store.key("../not-a-digest")
    missing = S3Blobs("no-such-bucket-here", endpoint_url=s3["S3_ENDPOINT_URL"])
    with pytest.raises(StorageError, match="s3: NoSuchBucket"):
        missing.put(sha, io.BytesIO(content), len(content))
