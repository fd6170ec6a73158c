"""`flask worker` as real processes on PostgreSQL and Redis: SIGKILL mid-job, and 1,000 notices through
Redis down, SMTP refusals and a killed worker — every notice delivered, no duplicates."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from tests.conftest import child_env
from tests.factories import submitted_startup
from tests.notices.conftest import QUEUE, REDIS_TEST_URL, make_app, people_on
from tests.notices.helpers import outbox
from workflow.config import PROJECT_ROOT
from workflow.db import utcnow
from workflow.models import OutboxMessage

FLASK = str(Path(sys.executable).parent / "flask")


def _env(engine, smtp, tmp_path) -> dict:
    return child_env(
        DATABASE_URL=engine.url.render_as_string(hide_password=False),
        REDIS_URL=REDIS_TEST_URL,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp.port,
        NOTICE_LEASE_SECONDS=2,
        NOTICE_MAIL_DIR=tmp_path / "mail",
        RQ_LOG_LEVEL="WARNING",
        NOTICE_QUEUE=QUEUE,
    )


def start_worker(env, tmp_path, name: str, *extra: str) -> subprocess.Popen:
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process below
    process = subprocess.Popen(
        [FLASK, "--app", "wsgi", "worker", *extra],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL takes the work-horse too
    )
    process.log = log
    return process


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its work-horse (rq puts the horse in a process group of its own)."""
    if process.poll() is None:
        horses = _children(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        for horse in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(horse, signal.SIGKILL)
    process.wait(20)
    process.log.close()


def wait_until(app, condition, timeout: float, sweep: bool, what: str) -> None:
    """Poll until `condition()`, sweeping the outbox every 2 s as `flask tick` would; fail after `timeout` s."""
    relay = app.extensions["notices"].relay if sweep else None
    deadline = time.monotonic() + timeout
    next_sweep = time.monotonic() + 2
    while not condition():
        if time.monotonic() > deadline:
            counts = Counter(row["status"] for row in outbox(app))
            logs = {
                path.name: path.read_text()[-1500:]
                for path in Path(app.config["NOTICE_MAIL_DIR"]).parent.glob("*.log")
            }
            raise AssertionError(f"timed out waiting for {what}: {counts} {logs}")
        if relay is not None and time.monotonic() > next_sweep:
            relay.sweep()
            next_sweep = time.monotonic() + 2
        time.sleep(0.2)


def _sent(app) -> int:
    return sum(row["status"] == "sent" for row in outbox(app))


def test_a_worker_killed_before_sending_delivers_exactly_once(pg_db, tmp_path, store, smtp, redis_db):
    app = make_app(
        pg_db, tmp_path, None, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, REDIS_URL=REDIS_TEST_URL
    )
    relay = app.extensions["notices"].relay
    env = _env(pg_db, smtp, tmp_path)
    smtp.hold_on_mail.set()  # the job will stop at MAIL FROM: in the middle of the job, before sending
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    first = start_worker(env, tmp_path, "first")
    try:
        assert smtp.holding.wait(60), (tmp_path / "first.log").read_text()
    finally:
        kill(first)
    smtp.hold_on_mail.clear()
    smtp.release.set()
    # no worker is alive: rq's clean-up (run by the sweep) may treat the started job as abandoned
    relay.sweep(now=utcnow() + timedelta(minutes=10))
    second = start_worker(env, tmp_path, "second")
    try:
        wait_until(app, lambda: _sent(app) == 1, 60, True, "the notice to be delivered")
    finally:
        kill(second)
    [row] = outbox(app)
    assert row["attempts"] >= 2
    assert len(smtp.messages) == 1


@pytest.mark.slow
def test_a_thousand_notices_through_faults_arrive_once_each(pg_db, tmp_path, store, smtp, redis_db):
    total = 1000
    # short backoff: a notice refused twice in the refusal window must not wait the production 60 s / 300 s
    app = make_app(
        pg_db,
        tmp_path,
        None,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp.port,
        REDIS_URL=REDIS_TEST_URL,
        NOTICE_RETRY_INTERVALS=(1, 1, 2),
    )
    relay = app.extensions["notices"].relay
    people = people_on(app)
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, people, store)
    _work_off_first(app, relay, app_id, smtp)
    # Redis down at commit: rows written, nothing enqueued (as when the after-commit enqueue fails)
    with workflow.db.begin() as connection:
        template = (
            connection.execute(select(OutboxMessage).where(OutboxMessage.application_id == app_id))
            .mappings()
            .first()
        )
        rows = [
            {
                k: template[k]
                for k in (
                    "application_id",
                    "event_seq",
                    "notice",
                    "template",
                    "recipients",
                    "channels",
                    "payload",
                )
            }
            | {"status": "pending", "attempts": 0, "created_at": template["created_at"]}
            for _ in range(total)
        ]
        connection.execute(insert(OutboxMessage), rows)
    ids = [row["id"] for row in outbox(app) if row["status"] == "pending"]
    assert len(ids) == total

    smtp.refuse_next = 40  # SMTP refusing for a while
    assert relay.sweep().enqueued == total  # Redis is back: the sweep enqueues everything
    env = _env(pg_db, smtp, tmp_path)
    first = start_worker(env, tmp_path, "first", "--no-fork")
    try:
        wait_until(app, lambda: _sent(app) >= 250, 300, False, "a quarter to be sent")
    finally:
        kill(first)  # SIGKILL in the middle of the run
    relay.sweep(now=utcnow() + timedelta(minutes=10))  # abandoned job: back to the queue
    workers = [start_worker(env, tmp_path, f"w{n}", "--no-fork") for n in range(2)]
    try:
        wait_until(app, lambda: _sent(app) == total + 1, 300, True, "every notice to be sent")
    finally:
        for worker in workers:
            kill(worker)

    counts = Counter(smtp.message_ids())
    expected = {f"<notice-{i}-{people.applicant.id}@grants.example.kr>" for i in ids}
    assert expected <= set(counts)
    duplicates = {mid: n for mid, n in counts.items() if n > 1}
    # the one SIGKILL can at most hit one notice between "accepted by SMTP" and "recorded as sent"
    assert sum(n - 1 for n in duplicates.values()) <= 1, duplicates
    assert smtp.refused == 40


def _work_off_first(app, relay, app_id, smtp) -> None:
    """The submission's own notice: delivered through a burst worker so the run starts clean."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    with app.app_context():
        SimpleWorker([relay.queue()], connection=relay.redis(), serializer=JSONSerializer).work(
            burst=True, logging_level="WARNING"
        )
    assert _sent(app) == 1 and len(smtp.messages) == 1
