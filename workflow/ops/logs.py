"""Logs: JSON lines in production (`LOG_FORMAT=json`, the default of `prod`), plain text elsewhere.

Every line carries the request id — taken from a valid `X-Request-ID` header or made here, sent back
in the response, put into the meta of the rq jobs the request enqueues and bound again while a worker
runs them — and the signed-in user's id. Never names, e-mail addresses, form values or secrets.
Commands get an id of their own (`cli-…`), which the jobs they enqueue carry the same way.
"""

from __future__ import annotations

import atexit
import json
import logging
import logging.handlers
import queue
import re
import sys
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, g, has_request_context

from workflow.web.request_state import request_globals, this_request

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
ACTOR_ID: ContextVar[int | None] = ContextVar("actor_id", default=None)
VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("workflow.access")
# the standard attributes of a LogRecord; anything else was passed with `extra=` and is logged as a field
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def current_request_id() -> str:
    """The id of the request (or job, or command) this code runs for; a command's is made on first use."""
    value = REQUEST_ID.get()
    if value is None:
        value = f"cli-{uuid.uuid4().hex[:16]}"
        REQUEST_ID.set(value)
    return value


@contextmanager
def bound(request_id: str | None, actor_id: int | None = None):
    """Run a block (an rq job) under the id of the request that caused it."""
    tokens = (REQUEST_ID.set(request_id or f"job-{uuid.uuid4().hex[:16]}"), ACTOR_ID.set(actor_id))
    try:
        yield
    finally:
        REQUEST_ID.reset(tokens[0])
        ACTOR_ID.reset(tokens[1])


def _signed_in_id() -> int | None:
    user = g.get("_login_user")  # the user flask-login already loaded: never a query of its own
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        actor_id = ACTOR_ID.get()
        if actor_id is None and has_request_context():
            actor_id = _signed_in_id()
        record.actor_id = actor_id
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "actor_id": getattr(record, "actor_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class _Queued(logging.handlers.QueueHandler):
    """Adds the request's context in the request's thread; the line is formatted and written by the
    listener's thread (a write per request on the request's path cost more than the rest of the logging)."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record  # formatted by the listener's handler; nothing here needs pickling


def configure(app: Flask, stream=None) -> logging.Handler | None:
    """Install one handler on the root logger (replacing the one an earlier app of this process put
    there); the returned handler writes the lines (`setStream` to redirect them). Test apps log nothing
    unless LOG_FORMAT is set explicitly."""
    fmt = app.config.get("LOG_FORMAT") or (None if app.testing else "plain")
    if fmt is None:
        return None
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "grants", False)]:
        root.removeHandler(old)
        stop(old)
    writer = logging.StreamHandler(stream or sys.stderr)
    writer.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(PLAIN))
    queued = _Queued(queue.Queue())
    queued.grants = True
    queued.addFilter(ContextFilter())
    queued.listener = logging.handlers.QueueListener(queued.queue, writer)
    queued.listener.start()
    atexit.register(stop, queued)
    root.addHandler(queued)
    # our loggers at LOG_LEVEL; the root (so SQLAlchemy, rq, ...) stays at WARNING: at INFO SQLAlchemy
    # would log every statement
    logging.getLogger("workflow").setLevel(app.config.get("LOG_LEVEL") or logging.INFO)
    writer.queue = queued.queue
    return writer


def stop(queued) -> None:
    """Write what is left and end the writer thread (once; at exit, or when an app replaces the handler)."""
    if queued.listener._thread is not None:
        queued.listener.stop()


def drain(handler: logging.Handler | None) -> None:
    """Wait until every line logged so far is written (tests)."""
    if handler is not None:
        handler.queue.join()


def init_app(app: Flask) -> None:
    app.extensions["log_handler"] = configure(app)
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    app.teardown_request(_forget)


def _start() -> None:
    given = this_request().headers.get("X-Request-ID", "")
    state = request_globals()
    state.request_id = given if VALID_ID.match(given) else uuid.uuid4().hex
    state.request_started = time.perf_counter()
    state.request_id_token = REQUEST_ID.set(state.request_id)


def _finish(response):
    state = request_globals()
    response.headers["X-Request-ID"] = state.get("request_id", "")
    if access_log.isEnabledFor(logging.INFO):
        this = this_request()
        rule = this.url_rule.rule if this.url_rule is not None else "unmatched"
        access_log.info(
            "%s %s %s",
            this.method,
            rule,
            response.status_code,
            extra={
                "event": "request",
                "method": this.method,
                "route": rule,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - state.get("request_started", 0)) * 1000, 2),
            },
        )
    return response


def _forget(_error=None) -> None:
    token = request_globals().pop("request_id_token", None)
    if token is not None:
        REQUEST_ID.reset(token)
