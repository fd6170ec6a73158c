"""/healthz answers while the process lives; /readyz is 503 while a component is not ready, 200 after."""

from __future__ import annotations

import time

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from tests.factories import submitted_startup
from tests.notices.conftest import free_port, make_app, people_on
from workflow.db import make_engine
from workflow.ops.heartbeat import beat

SECRETS = ("test", "sqlite", "redis://", "/tmp", "127.0.0.1")


def _ready(app):
    response = app.test_client().get("/readyz")
    assert response.headers["Content-Type"] == "application/json"
    for secret in SECRETS:  # no URL, path or key in the answer
        assert secret not in response.text.replace('"test"', "")
    return response.status_code, response.json


def _tick(app) -> None:
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output


def _all_fresh(app, clock) -> None:
    beat(app.extensions["workflow"].db, "worker-a", "notices", now=clock())
    _tick(app)


def test_liveness_answers_without_the_database_and_readiness_names_it(tmp_path, clock):
    unreachable = make_engine(f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    app = make_app(unreachable, tmp_path, clock)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    status, body = _ready(app)
    assert status == 503
    assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError"}
    assert body["checks"]["tick"] == {"status": "unknown"}


def test_ready_goes_503_when_redis_stops_and_back_to_200(sqlite_engine, tmp_path, clock, own_redis):
    app = make_app(sqlite_engine, tmp_path, clock, REDIS_URL=own_redis.url)
    _all_fresh(app, clock)
    status, body = _ready(app)
    assert status == 200, body
    assert body["status"] == "ready"
    assert {name: c["status"] for name, c in body["checks"].items()} == {
        "database": "ok",
        "notices": "ok",
        "redis": "ok",
        "tick": "ok",
        "worker": "ok",
    }

    own_redis.stop()
    status, body = _ready(app)
    assert status == 503 and body["status"] == "not_ready"
    assert body["checks"]["redis"] == {"status": "fail", "error": "ConnectionError"}
    assert body["checks"]["database"]["status"] == "ok"

    own_redis.start()
    status, body = _ready(app)
    assert status == 200, body


def test_ready_goes_503_without_a_fresh_worker_heartbeat(sqlite_engine, tmp_path, clock, own_redis):
    app = make_app(sqlite_engine, tmp_path, clock, REDIS_URL=own_redis.url, READY_WORKER_MAX_AGE=60)
    _tick(app)
    status, body = _ready(app)
    assert status == 503
    assert body["checks"]["worker"]["status"] == "fail"
    assert body["checks"]["worker"]["fresh_workers"] == 0

    beat(app.extensions["workflow"].db, "worker-a", "notices", now=clock())
    assert _ready(app)[0] == 200

    clock.advance(seconds=61)
    _tick(app)
    status, body = _ready(app)
    assert status == 503
    assert body["checks"]["worker"]["last_heartbeat_age_s"] == 61.0

    beat(app.extensions["workflow"].db, "worker-a", "notices", now=clock())
    assert _ready(app)[0] == 200


def test_ready_goes_503_when_the_oldest_due_notice_is_too_old(
    sqlite_engine, tmp_path, clock, store, own_redis
):
    app = make_app(sqlite_engine, tmp_path, clock, REDIS_URL=own_redis.url, READY_NOTICE_MAX_AGE=600)
    submitted_startup(app.extensions["workflow"], people_on(app), store)  # a notice queued, no worker
    _all_fresh(app, clock)
    status, body = _ready(app)
    assert status == 200 and body["checks"]["notices"]["oldest_due_age_s"] == 0.0

    clock.advance(seconds=601)
    _all_fresh(app, clock)
    status, body = _ready(app)
    assert status == 503
    assert body["checks"]["notices"] == {"status": "fail", "oldest_due_age_s": 601.0, "limit_s": 600.0}

    relay = app.extensions["notices"].relay
    with app.app_context():
        SimpleWorker([relay.queue()], connection=relay.redis(), serializer=JSONSerializer).work(
            burst=True, logging_level="WARNING"
        )
    status, body = _ready(app)
    assert status == 200, body
    assert body["checks"]["notices"]["oldest_due_age_s"] is None


def test_ready_goes_503_when_no_tick_ran_lately(sqlite_engine, tmp_path, clock):
    app = make_app(sqlite_engine, tmp_path, clock)
    status, body = _ready(app)
    assert status == 503 and body["checks"]["tick"]["last_tick_age_s"] is None
    assert body["checks"]["redis"]["status"] == "skipped"  # embedded: no Redis, no worker needed
    assert body["checks"]["worker"]["status"] == "skipped"
    _tick(app)
    assert _ready(app)[0] == 200
    clock.advance(seconds=181)
    assert _ready(app)[0] == 503


def test_the_worker_heartbeat_thread_beats_and_forgets_on_stop(sqlite_engine):
    from workflow.ops.heartbeat import Heartbeat, heartbeats

    heartbeat = Heartbeat(sqlite_engine, "notices", interval=0.05, name="host:1").start()
    try:
        for _ in range(400):
            with sqlite_engine.connect() as connection:
                if heartbeats(connection):
                    break
            time.sleep(0.05)
        with sqlite_engine.connect() as connection:
            [row] = heartbeats(connection)
        assert row["name"] == "host:1" and row["queue"] == "notices"
    finally:
        heartbeat.stop()
    with sqlite_engine.connect() as connection:
        assert heartbeats(connection) == []
