"""The rq path on a real Redis (the test database): rq only wakes workers, the database decides — a row
sent to rq is not sent again before its lease passes, retries wait in the database and the sweep sends
them, a job stranded in rq is sent again after the lease; Redis down, template errors, and the
documented duplicate window."""

from __future__ import annotations

import shutil

import pytest
from rq import SimpleWorker
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from tests.factories import reviewed_startup, submitted_startup
from tests.notices.conftest import REDIS_TEST_URL, free_port, make_app, people_on
from tests.notices.helpers import deliveries, execute, outbox, start_redis, stop_redis
from workflow.config import PROJECT_ROOT
from workflow.notices.deliver import deliver


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


def _queued_batches(relay) -> list[list[int]]:
    return [job.args[0] for job in relay.queue().get_jobs()]


def test_a_row_sent_to_rq_is_not_sent_again_before_its_lease_passes(
    notice_db, tmp_path, clock, store, smtp, redis_db
):
    app = _rq_app(notice_db, tmp_path, clock, smtp)
    relay = app.extensions["notices"].relay
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    [row] = outbox(app)
    assert row["status"] == "queued"
    assert _queued_batches(relay) == [[row["id"]]]  # the job carries the outbox ids only
    assert relay.enqueue([row["id"]]) == 0 and relay.sweep().enqueued == 0
    clock.advance(seconds=299)
    assert relay.sweep().enqueued == 0 and relay.queue().count == 1

    _work(app)
    assert outbox(app)[0]["status"] == "sent" and len(smtp.messages) == 1
    clock.advance(hours=1)
    assert relay.sweep().enqueued == 0 and relay.queue().count == 0


def test_a_job_stranded_in_rqs_intermediate_list_is_sent_again_after_the_lease(
    sqlite_db, tmp_path, clock, store, smtp, redis_db
):
    """A worker killed right after taking the job (rq moved it to its intermediate list, nothing ran):
    rq still calls the job queued; the database's lease says when to send the notice again."""
    app = _rq_app(sqlite_db, tmp_path, clock, smtp)
    relay = app.extensions["notices"].relay
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    queue = relay.queue()
    assert redis_db.lmove(queue.key, queue.intermediate_queue_key) is not None  # taken; the worker died
    assert queue.count == 0 and outbox(app)[0]["status"] == "queued"

    clock.advance(seconds=299)
    assert relay.sweep().enqueued == 0  # the lease (NOTICE_LEASE_SECONDS, 300) has not passed
    clock.advance(seconds=2)
    assert relay.sweep().enqueued == 1  # 301 s after it was sent to rq, not 15 minutes
    _work(app)
    [row] = outbox(app)
    assert (row["status"], row["attempts"]) == ("sent", 1)
    assert len(smtp.messages) == 1


def test_redis_down_at_approval_then_the_sweep_delivers(sqlite_db, tmp_path, clock, store, smtp):
    port = free_port()
    app = _rq_app(sqlite_db, tmp_path, clock, smtp, REDIS_URL=f"redis://127.0.0.1:{port}/2")
    people = people_on(app)
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, store)
    result = workflow.fire(app_id, "select", people.officer)
    assert result.ok and result.state == "selected"  # the approval commits with Redis down
    assert [row["status"] for row in outbox(app)] == ["pending", "pending"]

    server = start_redis(port)
    try:
        relay = app.extensions["notices"].relay
        report = relay.sweep()
        assert report.enqueued == 2
        _work(app)
    finally:
        relay.redis().close()
        stop_redis(server)
    assert [row["status"] for row in outbox(app)] == ["sent", "sent"]
    assert len(smtp.messages) == 2


def test_smtp_refusing_is_retried_through_the_sweep_and_sends_one_email(
    sqlite_db, tmp_path, clock, store, smtp, redis_db
):
    app = _rq_app(sqlite_db, tmp_path, clock, smtp)  # retry interval 0: due again at once
    relay = app.extensions["notices"].relay
    smtp.refuse_next = 2
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    _work(app)
    assert [(r["status"], r["attempts"]) for r in outbox(app)] == [("queued", 1)]
    assert relay.queue().count == 0  # rq does not retry: the database says when
    for attempts in (2, 3):
        assert relay.sweep().enqueued == 1
        _work(app)
        assert outbox(app)[0]["attempts"] == attempts
    [row] = outbox(app)
    assert (row["status"], row["attempts"]) == ("sent", 3)
    assert smtp.refused == 2 and len(smtp.messages) == 1
    assert FailedJobRegistry(queue=relay.queue()).count == 0  # a notice to retry is no failed job


def test_a_retry_waits_for_its_time_then_the_sweep_sends_it(
    sqlite_db, tmp_path, clock, store, smtp, redis_db
):
    app = _rq_app(sqlite_db, tmp_path, clock, smtp, NOTICE_RETRY_INTERVALS=[60])
    relay = app.extensions["notices"].relay
    smtp.refuse_next = 1
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    _work(app)
    [row] = outbox(app)
    assert (row["status"], row["attempts"]) == ("queued", 1)
    clock.advance(seconds=59)
    assert relay.sweep().enqueued == 0
    clock.advance(seconds=2)
    assert relay.sweep().enqueued == 1
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
