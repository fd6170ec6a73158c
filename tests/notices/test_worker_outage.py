"""`flask worker` through a Redis outage: Redis (a server of the test's own) stops while a job runs and
comes back; the same worker process goes on delivering, nobody restarts it; SIGTERM still stops it."""

from __future__ import annotations

import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.factories import submitted_startup
from tests.notices.conftest import free_port, make_app, people_on
from tests.notices.helpers import outbox, start_redis, stop_redis
from tests.notices.test_worker_faults import _env, kill, start_worker, wait_until
from workflow.notices.worker import Supervisor


def _sent(app) -> int:
    return sum(row["status"] == "sent" for row in outbox(app))


@pytest.mark.slow
def test_the_worker_survives_redis_stopping_while_a_job_runs(pg_db, tmp_path, store, smtp):
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    server = start_redis(port)
    app = make_app(pg_db, tmp_path, None, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, REDIS_URL=redis_url)
    people = people_on(app)
    workflow = app.extensions["workflow"]
    smtp.hold_on_mail.set()  # the job stops at MAIL FROM: it is running when Redis goes
    submitted_startup(workflow, people, store)
    env = {**_env(pg_db, smtp, tmp_path), "REDIS_URL": redis_url, "RQ_LOG_LEVEL": "INFO"}
    worker = start_worker(env, tmp_path, "worker")
    try:
        assert smtp.holding.wait(60), (tmp_path / "worker.log").read_text()
        stop_redis(server)
        smtp.hold_on_mail.clear()
        smtp.release.set()  # the job finishes; rq can no longer report it
        wait_until(app, lambda: _sent(app) == 1, 60, False, "the running job's notice")
        time.sleep(3)  # rq's monitor has met the dead Redis by now
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()

        server = start_redis(port)  # Redis is back, empty
        submitted_startup(workflow, people, store)  # a new notice, sent to rq after commit
        wait_until(app, lambda: _sent(app) == 2, 90, True, "a notice after Redis came back")
        assert worker.poll() is None
        worker.terminate()  # SIGTERM to the idle worker: a warm shutdown, not one more restart
        assert worker.wait(30) == 0
    finally:
        kill(worker)
        stop_redis(server)
    assert len(smtp.messages) == 2
    log = (tmp_path / "worker.log").read_text()
    assert "redis unavailable" in log and "redis available again" in log
    assert "Traceback" not in log  # an outage is a line per kind, not chained tracebacks


class _FlakyRedis:
    def __init__(self, down_for: int):
        self.down_for = down_for
        self.pings = 0

    def ping(self):
        self.pings += 1
        if self.pings <= self.down_for:
            raise RedisConnectionError("Error 111 connecting. Connection refused.")
        return True


class _Relay:
    def __init__(self, redis):
        self._redis = redis

    def redis(self):
        return self._redis

    def queue(self):
        return "notices"


def test_the_supervisor_waits_for_redis_with_growing_pauses_then_starts_a_new_rq_worker(monkeypatch):
    runs = []

    class RqWorker:
        def __init__(self, queues, connection, serializer):
            pass

        def request_stop(self, signum, frame):
            pass

        def work(self, burst, logging_level):
            runs.append(burst)
            if len(runs) == 1:
                raise RedisConnectionError("Connection closed by server.")  # rq gave up mid-job

    supervisor = Supervisor(_Relay(_FlakyRedis(down_for=3)), no_fork=True, longest_pause=4)
    supervisor.worker_class = RqWorker
    pauses = []
    monkeypatch.setattr(supervisor.stopping, "wait", lambda pause: pauses.append(pause) and False)
    supervisor.run(burst=True)
    assert runs == [True, True] and supervisor.restarts == 1
    assert pauses == [1.0, 2.0, 4.0, 4.0]  # Redis answered at the fourth ping
