"""Expected, handled failures — a service that is down for a while (Redis, SMTP, the database) — logged
as one line per failure kind with a running count, never a traceback per occurrence; a bug keeps its
traceback (`log.exception` where it is caught).

    from workflow.ops.failures import is_expected, log_once_per_kind
    try:
        relay.dispatch(ids)
    except Exception as error:
        if not is_expected(error):
            raise
        log_once_per_kind(log, "redis", error, "notices %s wait for the sweep", ids)

The first failure of a kind is logged at once; while it goes on, at most one line per `interval`
(60 s) with the count since the last line; the first success after it (`recovered(log, kind)`) is logged
once too. `counts()` gives the totals per kind since the process started (for metrics).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import redis.exceptions
from sqlalchemy.exc import DBAPIError

EXPECTED: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)


def is_expected(error: BaseException) -> bool:
    """A service being unreachable, as opposed to a bug: Redis or a socket refusing or timing out, or
    the database connection lost (SQLAlchemy's `connection_invalidated`)."""
    if isinstance(error, EXPECTED):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def kind_of(error: BaseException) -> str:
    """The service an expected failure is about: redis, database or network."""
    if isinstance(error, redis.exceptions.RedisError):
        return "redis"
    if isinstance(error, DBAPIError):
        return "database"
    return "network"


@dataclass
class _Kind:
    total: int = 0
    since_logged: int = 0
    logged_at: float | None = None  # None: not failing (never, or recovered since)


class FailureLog:
    """The counters behind `log_once_per_kind`: one per process (`FAILURES`), or one of a test's own."""

    def __init__(self, interval: float = 60.0, clock=time.monotonic):
        self.interval = interval
        self.clock = clock
        self._kinds: dict[str, _Kind] = {}
        self._lock = threading.Lock()

    def count(self, kind: str) -> tuple[bool, int, int]:
        """Count one failure of `kind`: (whether to log a line now, failures since the last line, total).
        A line is due for the first failure of a run of them, then once `interval` has passed."""
        with self._lock:
            state = self._kinds.setdefault(kind, _Kind())
            state.total += 1
            state.since_logged += 1
            now = self.clock()
            due = state.logged_at is None or now - state.logged_at >= self.interval
            count = state.since_logged
            if due:
                state.since_logged, state.logged_at = 0, now
            return due, count, state.total

    def failed(self, logger: logging.Logger, kind: str, error: BaseException, message: str, *args) -> int:
        """Count one failure of `kind` and log a line (no traceback) if one is due. The total."""
        due, count, total = self.count(kind)
        if due:
            logger.warning(
                "%s unavailable (%d failure(s) since the last line, %d in all): " + message + " [%s]",
                kind,
                count,
                total,
                *args,
                describe(error),
            )
        return total

    def recovered(self, logger: logging.Logger, kind: str) -> None:
        """The first success after failures of `kind`: one line, and the next failure is logged at once."""
        with self._lock:
            state = self._kinds.get(kind)
            if state is None or state.logged_at is None:
                return
            state.logged_at, count, state.since_logged = None, state.since_logged, 0
        logger.info("%s available again (%d more failure(s) since the last line)", kind, count)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {kind: state.total for kind, state in self._kinds.items()}


FAILURES = FailureLog()


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


class QuietExpectedFailures(logging.Filter):
    """For loggers we do not write ourselves (rq's worker): a record carrying an expected failure loses
    its traceback, is counted like `log_once_per_kind`, and passes only when a line is due."""

    def __init__(self, failures: FailureLog | None = None):
        super().__init__()
        self.failures = failures

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None or not is_expected(error):
            return True
        kind = kind_of(error)
        due, count, total = (self.failures or FAILURES).count(kind)
        if not due:
            return False
        note = f" [{kind} unavailable: {describe(error)}; {count} since the last line, {total} in all]"
        record.msg = str(record.msg) + (note.replace("%", "%%") if record.args else note)
        record.exc_info = record.exc_text = None
        return True


def log_once_per_kind(logger: logging.Logger, kind: str, error: BaseException, message: str, *args) -> int:
    """`FAILURES.failed(...)`: see the module's docstring."""
    return FAILURES.failed(logger, kind, error, message, *args)


def recovered(logger: logging.Logger, kind: str) -> None:
    FAILURES.recovered(logger, kind)
