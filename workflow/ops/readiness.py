"""Readiness: is this deployment able to do its work now? One status per component, nothing secret.

database   SELECT 1
redis      PING, when REDIS_URL is set (else "skipped": notices run in-process)
worker     a heartbeat younger than READY_WORKER_MAX_AGE, when REDIS_URL is set
notices    the oldest notice due for delivery has waited less than READY_NOTICE_MAX_AGE
tick       `flask tick` finished less than READY_TICK_MAX_AGE ago

Errors are reported by kind only (an exception's text may carry a URL with a password, or a path).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from workflow.models import NoticeRun, OpsRun, OutboxMessage, WorkerHeartbeat
from workflow.notices.dialect import QUEUED

WAITING = ("pending", "queued")


@dataclass(frozen=True)
class Limits:
    worker_max_age: float = 60.0
    notice_max_age: float = 600.0
    tick_max_age: float = 180.0

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            worker_max_age=float(config.get("READY_WORKER_MAX_AGE", cls.worker_max_age)),
            notice_max_age=float(config.get("READY_NOTICE_MAX_AGE", cls.notice_max_age)),
            tick_max_age=float(config.get("READY_TICK_MAX_AGE", cls.tick_max_age)),
        )


def oldest_due_notice_age(connection, now) -> float | None:
    """Seconds the longest-waiting notice has been due (created, or its backoff over) with no run holding
    it; None when none is due."""
    due_since = func.coalesce(NoticeRun.next_attempt_at, OutboxMessage.created_at)
    oldest = connection.execute(
        select(func.min(due_since))
        .select_from(OutboxMessage)
        .outerjoin(NoticeRun, NoticeRun.outbox_id == OutboxMessage.id)
        .where(
            OutboxMessage.status.in_(WAITING),
            or_(NoticeRun.next_attempt_at.is_(None), NoticeRun.next_attempt_at <= now),
            # waiting for a worker in rq (the lease `QUEUED`) is waiting too
            or_(
                NoticeRun.lease_until.is_(None), NoticeRun.lease_until <= now, NoticeRun.lease_token == QUEUED
            ),
        )
    ).scalar()
    if oldest is None:
        return None
    if isinstance(oldest, str):  # SQLite's MIN() over a coalesce loses the column type
        oldest = datetime.fromisoformat(oldest)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return max(0.0, (now - oldest).total_seconds())


def _component(ok: bool, **facts) -> dict:
    return {"status": "ok" if ok else "fail", **facts}


def _failure(error: Exception) -> dict:
    return {"status": "fail", "error": type(error).__name__}


def check(engine, redis: Redis | None, now, limits: Limits) -> dict:
    """{"status": "ready" | "not_ready", "checks": {component: {"status": ..., facts}}}."""
    checks: dict[str, dict] = {}
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            checks["database"] = _component(True, latency_ms=round((time.perf_counter() - started) * 1000, 1))
            _database_facts(connection, redis is not None, now, limits, checks)
    except SQLAlchemyError as error:
        checks.setdefault("database", _failure(error))
        for name in ("worker", "notices", "tick"):
            checks.setdefault(name, {"status": "unknown"})
    checks["redis"] = _redis_check(redis)
    ready = all(c["status"] in ("ok", "skipped") for c in checks.values())
    return {"status": "ready" if ready else "not_ready", "checks": dict(sorted(checks.items()))}


def _database_facts(connection, workers_expected: bool, now, limits: Limits, checks: dict) -> None:
    if workers_expected:
        fresh_after = now.timestamp() - limits.worker_max_age
        beats = [b for (b,) in connection.execute(select(WorkerHeartbeat.beat_at))]
        fresh = [b for b in beats if b.timestamp() >= fresh_after]
        newest = max(beats, default=None)
        checks["worker"] = _component(
            bool(fresh),
            fresh_workers=len(fresh),
            last_heartbeat_age_s=None if newest is None else round(now.timestamp() - newest.timestamp(), 1),
            limit_s=limits.worker_max_age,
        )
    else:
        checks["worker"] = {"status": "skipped", "reason": "no REDIS_URL: notices run in-process"}
    age = oldest_due_notice_age(connection, now)
    checks["notices"] = _component(
        age is None or age <= limits.notice_max_age,
        oldest_due_age_s=None if age is None else round(age, 1),
        limit_s=limits.notice_max_age,
    )
    tick = connection.execute(select(OpsRun.finished_at).where(OpsRun.name == "tick")).scalar()
    tick_age = None if tick is None else max(0.0, now.timestamp() - tick.timestamp())
    checks["tick"] = _component(
        tick_age is not None and tick_age <= limits.tick_max_age,
        last_tick_age_s=None if tick_age is None else round(tick_age, 1),
        limit_s=limits.tick_max_age,
    )


def _redis_check(redis: Redis | None) -> dict:
    if redis is None:
        return {"status": "skipped", "reason": "no REDIS_URL"}
    started = time.perf_counter()
    try:
        redis.ping()
    except (RedisError, OSError) as error:
        return _failure(error)
    return _component(True, latency_ms=round((time.perf_counter() - started) * 1000, 1))
