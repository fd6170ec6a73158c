"""JSON logs: one line per request with its id (given or made) and the signed-in user's id; the jobs a
request enqueues carry the same id into the worker's lines."""

from __future__ import annotations

import io
import json
import logging

import pytest
from rq import SimpleWorker
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import update

from tests.factories import reviewed_startup
from tests.notices.conftest import make_app, people_on
from tests.web.conftest import FAST_HASH, csrf_of, login
from workflow.models import User
from workflow.ops.logs import stop


@pytest.fixture
def json_log():
    """What the app's log handler writes, as parsed lines (the handler is taken off afterwards)."""
    buffer = io.StringIO()
    yield buffer, lambda: [json.loads(line) for line in _written(buffer).splitlines()]
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "grants", False)]:
        root.removeHandler(handler)
        stop(handler)
    logging.getLogger("workflow").setLevel(logging.NOTSET)


def _written(buffer) -> str:
    for handler in logging.getLogger().handlers:
        if getattr(handler, "grants", False):
            handler.queue.join()  # the listener thread has written every line so far
    return buffer.getvalue()


def _json_app(engine, tmp_path, clock, buffer, **config):
    app = make_app(engine, tmp_path, clock, LOG_FORMAT="json", **config)
    app.extensions["log_handler"].setStream(buffer)
    return app


def test_a_json_line_per_request_with_the_request_id_and_the_job_carries_it(
    sqlite_engine, tmp_path, clock, own_redis, json_log
):
    buffer, lines = json_log
    app = _json_app(sqlite_engine, tmp_path, clock, buffer, REDIS_URL=own_redis.url)
    people = people_on(app)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, _store(app))
    relay = app.extensions["notices"].relay
    relay.queue().empty()
    client = app.test_client()
    login(client, people.officer)
    page = client.get(f"/applications/{app_id}")
    _written(buffer)
    buffer.truncate(0)
    buffer.seek(0)

    response = client.post(
        f"/applications/{app_id}/fire",
        data={"trigger": "select", "csrf_token": csrf_of(page.text), "row_version": _version(page.text)},
        headers={"X-Request-ID": "req-7f3a9c"},
    )
    assert response.status_code == 302 and response.headers["X-Request-ID"] == "req-7f3a9c"
    [access] = [line for line in lines() if line.get("event") == "request"]
    assert access["request_id"] == "req-7f3a9c"
    assert access["route"] == "/applications/<int:application_id>/fire"
    assert access["status"] == 302 and access["method"] == "POST" and access["actor_id"] == people.officer.id
    assert access["level"] == "info" and isinstance(access["duration_ms"], float)
    assert "officer@test.kr" not in _written(buffer)  # no personal data

    [job_id] = relay.queue().job_ids
    job = Job.fetch(job_id, connection=relay.redis(), serializer=JSONSerializer)
    assert job.meta["request_id"] == "req-7f3a9c"
    with app.app_context():
        SimpleWorker([relay.queue()], connection=relay.redis(), serializer=JSONSerializer).work(
            burst=True, logging_level="WARNING"
        )
    [done] = [line for line in lines() if line.get("event") == "job"]
    assert done["request_id"] == "req-7f3a9c" and done["job_id"] == job_id


def test_a_missing_or_unusable_request_id_is_replaced(sqlite_engine, tmp_path, clock, json_log):
    buffer, lines = json_log
    app = _json_app(sqlite_engine, tmp_path, clock, buffer)
    client = app.test_client()
    made = client.get("/healthz").headers["X-Request-ID"]
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id <script>" + "x" * 200}).headers[
        "X-Request-ID"
    ]
    assert len(made) == 32 and len(replaced) == 32 and made != replaced
    assert [line["request_id"] for line in lines() if line.get("event") == "request"] == [made, replaced]
    assert all(line["actor_id"] is None for line in lines())


def test_plain_lines_in_development(sqlite_engine, tmp_path, clock, json_log):
    buffer, _ = json_log
    app = make_app(sqlite_engine, tmp_path, clock, LOG_FORMAT="plain")
    app.extensions["log_handler"].setStream(buffer)
    rid = app.test_client().get("/healthz").headers["X-Request-ID"]
    assert f"INFO workflow.access [{rid}] GET /healthz 200" in _written(buffer)


def _store(app):
    from workflow.storage import file_store_for

    return file_store_for(app)


def _version(html: str) -> str:
    import re

    return re.search(r'name="row_version" value="(\d+)"', html).group(1)
