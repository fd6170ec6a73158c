"""Log noise: an expected, handled failure (Redis down) is one line per failure kind with a counter, not
chained tracebacks per request; the unexpected keeps its traceback."""

from __future__ import annotations

import logging

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.factories import submitted_startup
from tests.notices.conftest import free_port, make_app, people_on
from tests.notices.helpers import outbox
from workflow.ops import failures
from workflow.ops.failures import FailureLog, QuietExpectedFailures


class Ticks:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks(monkeypatch) -> Ticks:
    """A process-wide failure log of this test's own, on a clock the test moves."""
    clock = Ticks()
    monkeypatch.setattr(failures, "FAILURES", FailureLog(interval=60, clock=clock))
    return clock


def _records(caplog, name: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == name]


def test_redis_down_is_one_line_per_kind_with_a_count(sqlite_db, tmp_path, clock, store, caplog, ticks):
    app = make_app(sqlite_db, tmp_path, clock, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    workflow, people = app.extensions["workflow"], people_on(app)
    caplog.set_level(logging.INFO)
    for _ in range(5):  # five requests that commit a notice while Redis is down
        submitted_startup(workflow, people, store)
    assert [row["status"] for row in outbox(app)] == ["pending"] * 5  # left to the sweep
    [line] = _records(caplog, "workflow.notices.service")
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert line.getMessage().startswith("redis unavailable (1 failure(s) since the last line, 1 in all)")
    assert "ConnectionError" in line.getMessage() and "Traceback" not in caplog.text
    assert failures.FAILURES.counts() == {"redis": 5}

    ticks.now += 61  # a minute on: the next failure is one more line, with what was not logged
    submitted_startup(workflow, people, store)
    lines = _records(caplog, "workflow.notices.service")
    assert len(lines) == 2 and "(5 failure(s) since the last line, 6 in all)" in lines[1].getMessage()


def test_an_unexpected_error_keeps_its_traceback(
    sqlite_db, tmp_path, clock, store, caplog, ticks, monkeypatch
):
    app = make_app(sqlite_db, tmp_path, clock, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    relay = app.extensions["notices"].relay

    def broken(outbox_ids):
        raise ValueError("a bug")

    monkeypatch.setattr(relay, "dispatch", broken)
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    [line] = _records(caplog, "workflow.notices.service")
    assert line.levelno == logging.ERROR and line.exc_info[0] is ValueError
    assert failures.FAILURES.counts() == {}


def test_the_filter_quiets_a_library_logging_an_outage_with_tracebacks(caplog, ticks):
    logger = logging.getLogger("tests.a-library")
    quiet = QuietExpectedFailures()
    logger.addFilter(quiet)
    try:
        for _ in range(3):
            try:
                raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            except RedisConnectionError:
                logger.exception("found an unhandled exception, quitting...")
        try:
            raise KeyError("a bug")
        except KeyError:
            logger.exception("found an unhandled exception, quitting...")
    finally:
        logger.removeFilter(quiet)
    first, bug = _records(caplog, "tests.a-library")
    assert first.exc_info is None and "[redis unavailable: ConnectionError" in first.getMessage()
    assert "1 since the last line, 1 in all" in first.getMessage()
    assert bug.exc_info[0] is KeyError
    assert failures.FAILURES.counts() == {"redis": 3}


def test_tick_with_redis_down_is_one_line_and_a_clean_exit(sqlite_db, tmp_path, clock, store, caplog, ticks):
    app = make_app(sqlite_db, tmp_path, clock, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    submitted_startup(app.extensions["workflow"], people_on(app), store)  # its notice waits: Redis is down
    runner = app.test_cli_runner()
    for _ in range(3):  # cron, every minute
        result = runner.invoke(args=["tick"])
        assert result.exit_code == 0, result.output
        assert "notices: redis unavailable; 1 due wait" in result.output
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]  # one outage, one line
    assert len(lines) == 1 and lines[0].exc_info is None and "redis unavailable" in lines[0].getMessage()
    assert failures.FAILURES.counts() == {"redis": 4}  # the commit's dispatch, then three sweeps
