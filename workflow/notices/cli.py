"""Commands: `flask worker` (rq worker, restarted through Redis outages) and `flask notices retry|sweep|failed`.

coverage: below 80% in `make test` because `worker_command` runs in the child processes of
tests/notices/test_worker_*.py and test_production_smoke.py, which coverage does not follow.
"""

from __future__ import annotations

import logging
import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from workflow.models import OutboxMessage
from workflow.ops.failures import is_expected, kind_of, log_once_per_kind
from workflow.ops.heartbeat import Heartbeat

log = logging.getLogger(__name__)


def _service():
    return current_app.extensions["notices"]


@click.command("worker", help="Run an rq worker for notices (it waits out Redis outages); needs REDIS_URL.")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--no-fork", is_flag=True, help="Run jobs in the worker process (rq SimpleWorker).")
def worker_command(burst: bool, no_fork: bool) -> None:
    from workflow.notices.worker import Supervisor
    from workflow.ops.failures import QuietExpectedFailures

    service = _service()
    if service.settings.embedded:
        click.echo(
            "REDIS_URL is not set: notices run in-process (embedded mode); no worker is needed.", err=True
        )
        sys.exit(2)
    engine = service.db
    # A forked work-horse must not reuse the parent's pooled connections (shared sockets).
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    level = os.environ.get("RQ_LOG_LEVEL", "INFO")
    logging.basicConfig(level=level, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    # rq logs a Redis outage as chained tracebacks, again and again: one line per minute instead
    logging.getLogger("rq.worker").addFilter(QuietExpectedFailures())
    heartbeat = Heartbeat(
        engine, service.relay.queue().name, float(current_app.config.get("WORKER_HEARTBEAT_SECONDS", 15))
    ).start()
    try:
        Supervisor(service.relay, no_fork, level).run(burst=burst)
    finally:
        heartbeat.stop()


notices_group = AppGroup("notices", help="Notices: retry failed ones, sweep the outbox, list failures.")


@notices_group.command("retry", help="Retry failed notices (all, or the given outbox ids).")
@click.argument("outbox_ids", nargs=-1, type=int)
def retry_command(outbox_ids: tuple[int, ...]) -> None:
    ids = _service().relay.retry(list(outbox_ids) if outbox_ids else None)
    click.echo(
        f"{len(ids)} notice(s) put back for delivery" + (f": {', '.join(map(str, ids))}" if ids else "")
    )


@notices_group.command(
    "sweep", help="Deliver or enqueue every notice that is due (also part of `flask tick`)."
)
def sweep_command() -> None:
    click.echo(str(_service().relay.sweep()))


@notices_group.command("failed", help="List failed notices with their reason.")
def failed_command() -> None:
    with _service().db.connect() as connection:
        rows = connection.execute(
            select(
                OutboxMessage.id, OutboxMessage.application_id, OutboxMessage.notice, OutboxMessage.last_error
            )
            .where(OutboxMessage.status == "failed")
            .order_by(OutboxMessage.id)
        ).all()
    for row in rows:
        click.echo(f"{row.id}\tapplication {row.application_id}\t{row.notice}\t{row.last_error}")
    click.echo(f"{len(rows)} failed notice(s)")


def sweep_after_tick() -> str:
    """Called by `flask tick`: timers first (they write outbox rows), then the outbox sweep. Redis being
    down is no error of the tick's: the due notices wait for the next one (one log line per minute)."""
    relay = _service().relay
    try:
        return str(relay.sweep())
    except Exception as error:
        if not is_expected(error):
            raise
        log_once_per_kind(log, kind_of(error), error, "the sweep sent nothing to rq")
        return f"notices: {kind_of(error)} unavailable; {len(relay.due(relay.service.clock()))} due wait"


def register(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(notices_group)
