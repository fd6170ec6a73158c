"""A program-wide verification started on the auditor's page is an rq job when Redis is configured: the
request only queues it, a worker runs it and writes its progress and result; with Redis gone it still
runs (in the process that started it)."""

from __future__ import annotations

import time

from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import update

from tests.factories import reviewed_startup
from tests.notices.conftest import make_app, people_on
from tests.web.conftest import FAST_HASH, csrf_of, login
from workflow.audit import runs
from workflow.models import User
from workflow.services.files import FileStore


def _auditor_starts_a_run(app, tmp_path) -> int:
    people = people_on(app)
    workflow = app.extensions["workflow"]
    with workflow.db.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    reviewed_startup(workflow, people, FileStore(tmp_path / "files"))
    client = app.test_client()
    login(client, people.auditor)
    page = client.get("/auditor/")
    response = client.post("/auditor/verify", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _run(app, run_id: int) -> dict:
    with app.extensions["workflow"].db.connect() as connection:
        return runs.get(connection, run_id)


def test_the_run_is_queued_and_a_worker_runs_it(sqlite_engine, tmp_path, clock, own_redis):
    app = make_app(sqlite_engine, tmp_path, clock, REDIS_URL=own_redis.url)
    relay = app.extensions["notices"].relay
    relay.queue().empty()
    run_id = _auditor_starts_a_run(app, tmp_path)
    assert _run(app, run_id)["status"] == "queued"  # the request did not walk the chains
    jobs = [job for job in relay.queue().jobs if job.func_name == runs.JOB_FUNCTION]
    assert [job.args for job in jobs] == [[run_id]]
    with app.app_context():
        SimpleWorker([relay.queue()], connection=relay.redis(), serializer=JSONSerializer).work(
            burst=True, logging_level="WARNING"
        )
    done = _run(app, run_id)
    assert done["status"] == "ok" and done["total"] > 10 and done["done"] == done["total"]
    assert done["finished_at"] is not None


def test_without_redis_answering_the_run_still_happens(sqlite_engine, tmp_path, clock, own_redis):
    app = make_app(sqlite_engine, tmp_path, clock, REDIS_URL=own_redis.url)
    own_redis.stop()
    run_id = _auditor_starts_a_run(app, tmp_path)
    for _ in range(600):  # the thread of this process: wait for its result (no timing asserted)
        if _run(app, run_id)["status"] in ("ok", "faults", "failed"):
            break
        time.sleep(0.1)
    assert _run(app, run_id)["status"] == "ok"
