"""The rq path on a real Redis (database 2): deterministic job ids, retries, Redis down, template errors,
and the documented duplicate window."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
from rq import SimpleWorker
from rq.job import Job
from rq.serializers import JSONSerializer

from tests.factories import reviewed_startup, submitted_startup
from tests.notices.conftest import QUEUE, REDIS_TEST_URL, free_port, make_app, people_on
from tests.notices.helpers import deliveries, execute, outbox
from workflow.config import PROJECT_ROOT
from workflow.notices.deliver import deliver
from workflow.notices.relay import job_id


def _rq_app(db, tmp_path, clock, smtp, **config):
    config.setdefault("REDIS_URL", REDIS_TEST_URL)
    return make_app(db, tmp_path, clock, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, **config)


def _work(app) -> None:
    """A burst worker in this process: it does not wait for retries scheduled with an interval."""
    relay = app.extensions["notices"].relay
    with app.app_context():
        SimpleWorker([relay.queue()], connection=relay.redis(), serializer=JSONSerializer).work(
            burst=True, logging_level="WARNING"
        )


def test_each_row_is_queued_once_under_its_own_job_id(notice_db, tmp_path, clock, store, smtp, redis_db):
    app = _rq_app(notice_db, tmp_path, clock, smtp)
    relay = app.extensions["notices"].relay
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    [row] = outbox(app)
    assert row["status"] == "queued"
    assert relay.queue().job_ids == [job_id([row["id"]], QUEUE)]
    assert relay.enqueue([row["id"]]) == 0 and relay.sweep().enqueued == 0
    assert relay.queue().count == 1

    _work(app)
    assert outbox(app)[0]["status"] == "sent" and len(smtp.messages) == 1
    assert relay.sweep().enqueued == 0 and relay.queue().count == 0


def test_redis_down_at_approval_then_the_sweep_delivers(sqlite_db, tmp_path, clock, store, smtp):
    port = free_port()
    app = _rq_app(sqlite_db, tmp_path, clock, smtp, REDIS_URL=f"redis://127.0.0.1:{port}/2")
    people = people_on(app)
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, store)
    result = workflow.fire(app_id, "select", people.officer)
    assert result.ok and result.state == "selected"  # the approval commits with Redis down
    assert [row["status"] for row in outbox(app)] == ["pending", "pending"]

    server = subprocess.Popen(
        [
            shutil.which("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        relay = app.extensions["notices"].relay
        for _ in range(100):
            try:
                relay.redis().ping()
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.05)
        report = relay.sweep()
        assert report.enqueued == 2
        _work(app)
    finally:
        relay.redis().close()
        server.terminate()
        server.wait(10)
    assert [row["status"] for row in outbox(app)] == ["sent", "sent"]
    assert len(smtp.messages) == 2


def test_smtp_refusing_is_retried_by_rq_and_sends_one_email(
    sqlite_db, tmp_path, clock, store, smtp, redis_db
):
    app = _rq_app(sqlite_db, tmp_path, clock, smtp)  # retry interval 0: a burst worker runs retries at once
    smtp.refuse_next = 2
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    _work(app)
    [row] = outbox(app)
    assert (row["status"], row["attempts"]) == ("sent", 3)
    assert smtp.refused == 2 and len(smtp.messages) == 1
    job = Job.fetch(job_id([row["id"]], QUEUE), connection=redis_db, serializer=JSONSerializer)
    assert job.get_status() == "finished" and job.retries_left == 2


def test_a_retry_with_an_interval_waits_for_the_scheduler(sqlite_db, tmp_path, clock, store, smtp, redis_db):
    app = _rq_app(sqlite_db, tmp_path, clock, smtp, NOTICE_RETRY_INTERVALS=[60])
    smtp.refuse_next = 1
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    _work(app)  # a burst worker leaves the scheduled retry alone
    [row] = outbox(app)
    assert (row["status"], row["attempts"]) == ("queued", 1)
    job = Job.fetch(job_id([row["id"]], QUEUE), connection=redis_db, serializer=JSONSerializer)
    assert job.get_status() == "scheduled"
    assert app.extensions["notices"].relay.sweep().enqueued == 0  # a scheduled job is live: not doubled


def test_a_due_retry_is_queued_by_the_sweep_when_no_scheduler_moves_it(
    sqlite_db, tmp_path, clock, store, smtp, redis_db
):
    """The scheduler lock of a SIGKILLed worker outlives it, and rq's workers only try to take it over
    every ten minutes: the sweep (`flask tick`) queues due retries itself."""
    app = _rq_app(sqlite_db, tmp_path, clock, smtp, NOTICE_RETRY_INTERVALS=[60])
    smtp.refuse_next = 1
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    _work(app)
    [row] = outbox(app)
    relay = app.extensions["notices"].relay
    relay.sweep(now=datetime.now(UTC) + timedelta(seconds=61))  # past the retry's time, no scheduler ran
    job = Job.fetch(job_id([row["id"]], QUEUE), connection=redis_db, serializer=JSONSerializer)
    assert job.get_status() == "queued"
    _work(app)
    [row] = outbox(app)
    assert (row["status"], row["attempts"], len(smtp.messages)) == ("sent", 2, 1)


def test_a_template_error_is_failed_once_not_retried(sqlite_db, tmp_path, clock, store, smtp, redis_db):
    templates = tmp_path / "notice-templates"
    shutil.copytree(PROJECT_ROOT / "templates" / "notices", templates)
    (templates / "received.ko.txt").write_text("Subject: x\n\n{{ no_such_variable }}\n")
    app = _rq_app(sqlite_db, tmp_path, clock, smtp, NOTICE_TEMPLATES_DIR=str(templates))
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    _work(app)
    [row] = outbox(app)
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert "no_such_variable" in row["last_error"]
    assert smtp.messages == []


def test_the_duplicate_window_resends_with_the_same_message_id(sqlite_db, tmp_path, clock, store, smtp):
    """A run killed after the server accepted the e-mail but before `sent` was committed: the only
    case with two copies. Simulated by putting the rows back as that run would have left them."""
    app = make_app(sqlite_db, tmp_path, clock, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    [row] = outbox(app)
    execute(app, "UPDATE outbox SET status = 'queued' WHERE id = :id", id=row["id"])
    execute(app, "UPDATE notice_deliveries SET status = 'sending', sent_at = NULL")
    assert deliver(app.extensions["notices"], row["id"]).status == "sent"
    ids = smtp.message_ids()
    assert len(ids) == 2 and ids[0] == ids[1]
    assert [d["status"] for d in deliveries(app)] == ["sent"]


@pytest.mark.parametrize("already", ["sent", "failed"])
def test_a_finished_notice_is_never_worked_again(sqlite_db, tmp_path, clock, store, smtp, already):
    app = make_app(sqlite_db, tmp_path, clock, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    [row] = outbox(app)
    execute(app, "UPDATE outbox SET status = :s WHERE id = :id", s=already, id=row["id"])
    outcome = deliver(app.extensions["notices"], row["id"])
    assert outcome.status == "skipped" and len(smtp.messages) == 1


def test_a_second_run_while_the_first_holds_the_lease_is_busy_and_counts_nothing(
    sqlite_db, tmp_path, clock, store
):
    from workflow.notices.claims import claim

    app = make_app(sqlite_db, tmp_path, clock)
    service = app.extensions["notices"]
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    [row] = outbox(app)
    execute(app, "UPDATE outbox SET status = 'queued' WHERE id = :id", id=row["id"])
    with service.db.connect() as connection:
        assert claim(connection, [row["id"]], "first", service.clock(), 300).attempts == {row["id"]: 2}
    assert deliver(service, row["id"]).status == "busy"
    assert outbox(app)[0]["attempts"] == 2  # the busy run's count was rolled back
    assert deliver(service, 999_999).status == "skipped"
