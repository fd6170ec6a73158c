"""What an operator needs at a glance, for `/admin/ops` and `flask ops status`: the rq queue, the
workers' heartbeats, the outbox by status with the oldest waiting, failed notices, due timers and the
last run of tick, audit verify and backup."""

from __future__ import annotations

from datetime import UTC, datetime

from redis.exceptions import RedisError
from sqlalchemy import func, select

from workflow.models import OutboxMessage, Timer
from workflow.ops.heartbeat import heartbeats
from workflow.ops.readiness import WAITING, oldest_due_notice_age
from workflow.ops.runs import last_runs

RUNS = ("tick", "audit_verify", "backup")


def _age(now, moment) -> float | None:
    return None if moment is None else round((now - moment).total_seconds(), 1)


def snapshot(app) -> dict:
    workflow = app.extensions["workflow"]
    now = workflow.clock()
    worker_limit = float(app.config.get("READY_WORKER_MAX_AGE", 60))
    with workflow.db.connect() as connection:
        by_status = dict(
            connection.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        oldest_waiting = connection.execute(
            select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(WAITING))
        ).scalar()
        due_age = oldest_due_notice_age(connection, now)
        timers_due, oldest_timer = connection.execute(
            select(func.count(), func.min(Timer.due_at)).where(Timer.status == "pending", Timer.due_at <= now)
        ).one()
        workers = heartbeats(connection)
        runs = last_runs(connection)
    if isinstance(oldest_waiting, str):
        oldest_waiting = datetime.fromisoformat(oldest_waiting).replace(tzinfo=UTC)
    if isinstance(oldest_timer, str):
        oldest_timer = datetime.fromisoformat(oldest_timer).replace(tzinfo=UTC)
    return {
        "now": now,
        "queue": _queue(app),
        "workers": [
            {**w, "age_s": _age(now, w["beat_at"]), "fresh": _age(now, w["beat_at"]) <= worker_limit}
            for w in workers
        ],
        "outbox": {status: by_status.get(status, 0) for status in ("pending", "queued", "sent", "failed")},
        "oldest_waiting_age_s": _age(now, oldest_waiting),
        "oldest_due_age_s": None if due_age is None else round(due_age, 1),
        "failed": by_status.get("failed", 0),
        "timers_due": timers_due,
        "oldest_timer_due_age_s": _age(now, oldest_timer),
        "runs": {name: runs.get(name) for name in RUNS},
        "run_ages": {name: _age(now, runs[name]["finished_at"]) if name in runs else None for name in RUNS},
    }


def _queue(app) -> dict:
    """The rq queue's depth and the age of its oldest job; `configured` False without REDIS_URL."""
    service = app.extensions.get("notices")
    if service is None or service.settings.embedded:
        return {"configured": False}
    try:
        queue = service.relay.queue()
        depth = queue.count
        oldest = None
        first = queue.get_jobs(0, 1)
        if first and first[0].enqueued_at is not None:
            enqueued = first[0].enqueued_at
            enqueued = enqueued if enqueued.tzinfo else enqueued.replace(tzinfo=UTC)
            oldest = round((datetime.now(UTC) - enqueued).total_seconds(), 1)
    except (RedisError, OSError) as error:
        return {"configured": True, "reachable": False, "error": type(error).__name__}
    return {"configured": True, "reachable": True, "name": queue.name, "depth": depth, "oldest_age_s": oldest}


def as_text(report: dict) -> str:
    """The terminal version (`flask ops status`)."""
    lines = [f"at {report['now'].isoformat(timespec='seconds')}"]
    queue = report["queue"]
    if not queue["configured"]:
        lines.append("queue: none (no REDIS_URL: notices are sent in-process)")
    elif not queue["reachable"]:
        lines.append(f"queue: Redis unreachable ({queue['error']})")
    else:
        lines.append(
            f"queue {queue['name']}: {queue['depth']} job(s), oldest {_seconds(queue['oldest_age_s'])}"
        )
    lines.append(f"workers: {sum(w['fresh'] for w in report['workers'])} alive of {len(report['workers'])}")
    for w in report["workers"]:
        lines.append(f"  {w['name']} ({w['queue']}): last heartbeat {_seconds(w['age_s'])} ago")
    outbox = ", ".join(f"{n} {status}" for status, n in report["outbox"].items())
    lines.append(
        f"outbox: {outbox}; oldest waiting {_seconds(report['oldest_waiting_age_s'])}, oldest due {_seconds(report['oldest_due_age_s'])}"
    )
    lines.append(f"failed notices: {report['failed']} (flask --app wsgi notices retry)")
    lines.append(f"timers due: {report['timers_due']}, oldest {_seconds(report['oldest_timer_due_age_s'])}")
    for name in RUNS:
        run = report["runs"][name]
        if run is None:
            lines.append(f"last {name}: never")
        else:
            result = "ok" if run["ok"] else "FAILED"
            lines.append(f"last {name}: {result}, {_seconds(report['run_ages'][name])} ago ({run['detail']})")
    return "\n".join(lines)


def _seconds(value) -> str:
    return "-" if value is None else f"{value:.0f} s"
