"""Prometheus metrics (the official client). Names are listed in the README.

Counted where they happen, in every process (gunicorn workers in multiprocess mode, when
PROMETHEUS_MULTIPROC_DIR is set before the process starts): requests by route, method and status with a
latency histogram; fires by program, trigger, outcome (ok / refused / busy) and reason, with latency.
Read from the database when scraped, so every machine reports the same: notices pending, in flight and
failed, the oldest due notice's age, deliveries by channel and status, attempts and retries, timers due
and fired, the last tick's duration and age, fresh worker heartbeats.

`/metrics` answers only with `Authorization: Bearer <METRICS_TOKEN>` when that is set, else only to
loopback addresses; anything else is a 404.
"""

from __future__ import annotations

import hmac
import os
import time
from functools import wraps

from flask import Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import case, func, select
from sqlalchemy.exc import SQLAlchemyError

from workflow.models import (
    Application,
    NoticeDelivery,
    NoticeRun,
    OpsRun,
    OutboxMessage,
    Timer,
    WorkerHeartbeat,
)
from workflow.ops.readiness import oldest_due_notice_age
from workflow.web.request_state import request_globals, this_request

REQUESTS = Counter("grants_http_requests_total", "HTTP requests answered", ["route", "method", "status"])
REQUEST_SECONDS = Histogram(
    "grants_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
NOTICE_RETRIES = Counter(
    "grants_notice_channel_retries_total",
    "Notices put back to wait for another attempt, by the channel that failed (or `prepare`, `database`)",
    ["channel"],
)
FIRES = Counter(
    "grants_fires_total",
    "Engine fires by outcome (ok, refused, busy)",
    ["program", "trigger", "outcome", "reason"],
)
FIRE_SECONDS = Histogram(
    "grants_fire_duration_seconds",
    "Time of one fire, checks and transaction included",
    ["program", "trigger", "outcome"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
BUSY_CODES = frozenset({"stale", "busy", "locked"})


def outcome_of(result) -> tuple[str, str]:
    if result.ok:
        return "ok", ""
    code = result.refusal.code if result.refusal is not None else "unknown"
    return ("busy" if code in BUSY_CODES else "refused"), code


class ProgramOf:
    """application id → program key, remembered (a key never changes); one query the first time."""

    def __init__(self, workflow, size: int = 100_000):
        self.workflow, self.size, self.known = workflow, size, {}

    def __call__(self, application_id) -> str:
        key = self.known.get(application_id)
        if key is None and application_id is not None:
            try:
                with self.workflow.db.connect() as connection:
                    key = connection.execute(
                        select(Application.program_key).where(Application.id == application_id)
                    ).scalar()
            except SQLAlchemyError:
                key = None
            if key is not None:
                if len(self.known) >= self.size:
                    self.known.clear()
                self.known[application_id] = key
        return key or "unknown"


def instrument(workflow) -> None:
    """Count and time `fire` and `decide` of this engine (the instance's methods are wrapped once)."""
    if getattr(workflow, "_metrics", False):
        return
    program_of = ProgramOf(workflow)

    def counted(method, trigger_of):
        @wraps(method)
        def run(application, *args, **kwargs):
            started = time.perf_counter()
            result = method(application, *args, **kwargs)
            outcome, reason = outcome_of(result)
            program = program_of(result.application_id)
            trigger = trigger_of(args, kwargs)
            FIRES.labels(program, trigger, outcome, reason).inc()
            FIRE_SECONDS.labels(program, trigger, outcome).observe(time.perf_counter() - started)
            return result

        return run

    workflow.fire = counted(
        workflow.fire, lambda args, kwargs: args[0] if args else kwargs.get("trigger", "")
    )
    workflow.decide = counted(
        workflow.decide, lambda args, kwargs: "decide:" + (args[0] if args else kwargs.get("decision", ""))
    )
    workflow._metrics = True


class DatabaseCollector:
    """What the database says at scrape time (the same on every machine)."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        workflow = self.app.extensions["workflow"]
        now = workflow.clock()
        try:
            with workflow.db.connect() as connection:
                yield from self._outbox(connection, now)
                yield from self._deliveries(connection)
                yield from self._timers(connection, now)
                yield from self._runs(connection, now)
        except SQLAlchemyError:
            up = GaugeMetricFamily("grants_database_up", "1 if the scrape could read the database")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("grants_database_up", "1 if the scrape could read the database")
        up.add_metric([], 1)
        yield up

    def _outbox(self, connection, now):
        leased = (NoticeRun.lease_until.is_not(None)) & (NoticeRun.lease_until > now)
        rows = connection.execute(
            select(
                OutboxMessage.status,
                func.count(),
                func.sum(case((leased, 1), else_=0)),
                func.coalesce(func.sum(OutboxMessage.attempts), 0),
                func.coalesce(
                    func.sum(case((OutboxMessage.attempts > 1, OutboxMessage.attempts - 1), else_=0)), 0
                ),
            )
            .select_from(OutboxMessage)
            .outerjoin(NoticeRun, NoticeRun.outbox_id == OutboxMessage.id)
            .group_by(OutboxMessage.status)
        ).all()
        notices = GaugeMetricFamily("grants_notices", "Notices in the outbox by state", labels=["state"])
        counts = {"pending": 0, "in_flight": 0, "sent": 0, "failed": 0}
        attempts = retries = 0
        for status, count, in_flight, tried, retried in rows:
            attempts, retries = attempts + int(tried), retries + int(retried)
            if status == "sent":
                counts["sent"] += count
            elif status == "failed":
                counts["failed"] += count
            else:  # waiting: held by a run or by rq (in flight) or not
                counts["in_flight"] += int(in_flight or 0)
                counts["pending"] += count - int(in_flight or 0)
        for state, count in counts.items():
            notices.add_metric([state], count)
        yield notices
        age = GaugeMetricFamily(
            "grants_notice_oldest_due_age_seconds", "How long the oldest due notice waited"
        )
        age.add_metric([], oldest_due_notice_age(connection, now) or 0.0)
        yield age
        attempt_total = CounterMetricFamily("grants_notice_attempts", "Delivery attempts of all notices")
        attempt_total.add_metric([], attempts)
        yield attempt_total
        retry_total = CounterMetricFamily("grants_notice_retries", "Delivery attempts after the first")
        retry_total.add_metric([], retries)
        yield retry_total

    def _deliveries(self, connection):
        family = CounterMetricFamily(
            "grants_notice_deliveries",
            "Deliveries to one recipient by channel and status",
            labels=["channel", "status"],
        )
        for channel, status, count in connection.execute(
            select(NoticeDelivery.channel, NoticeDelivery.status, func.count()).group_by(
                NoticeDelivery.channel, NoticeDelivery.status
            )
        ):
            family.add_metric([channel, status], count)
        yield family

    def _timers(self, connection, now):
        due = connection.execute(
            select(func.count()).select_from(Timer).where(Timer.status == "pending", Timer.due_at <= now)
        ).scalar_one()
        family = GaugeMetricFamily("grants_timers_due", "Pending timers whose time has come")
        family.add_metric([], due)
        yield family
        fired = CounterMetricFamily(
            "grants_timers_handled", "Timers handled by ticks, by result", labels=["status"]
        )
        for status, count in connection.execute(
            select(Timer.status, func.count()).where(Timer.status != "pending").group_by(Timer.status)
        ):
            fired.add_metric([status], count)
        yield fired

    def _runs(self, connection, now):
        tick = connection.execute(select(OpsRun).where(OpsRun.name == "tick")).mappings().first()
        duration = GaugeMetricFamily("grants_tick_duration_seconds", "Duration of the last flask tick")
        age = GaugeMetricFamily("grants_tick_age_seconds", "Seconds since the last flask tick finished")
        if tick is not None:
            duration.add_metric([], (tick["finished_at"] - tick["started_at"]).total_seconds())
            age.add_metric([], (now - tick["finished_at"]).total_seconds())
        yield duration
        yield age
        limit = float(self.app.config.get("READY_WORKER_MAX_AGE", 60))
        beats = [b for (b,) in connection.execute(select(WorkerHeartbeat.beat_at))]
        workers = GaugeMetricFamily("grants_workers_alive", "Workers with a fresh heartbeat")
        workers.add_metric([], sum(1 for b in beats if (now - b).total_seconds() <= limit))
        yield workers


def _registry(app: Flask) -> CollectorRegistry:
    registry = app.extensions.get("metrics_registry")
    if registry is None:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = CollectorRegistry()
            registry.register(_Process())
        registry.register(DatabaseCollector(app))
        app.extensions["metrics_registry"] = registry
    return registry


class _Process:
    """This process's own metrics (single-process mode): the default registry's."""

    def collect(self):
        yield from REGISTRY.collect()


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return request.remote_addr in ("127.0.0.1", "::1")


def metrics_view():
    if not _allowed():
        abort(404)
    return Response(generate_latest(_registry(current_app)), mimetype=CONTENT_TYPE_LATEST)


def _count_request(response):
    started = request_globals().get("request_started")
    this = this_request()
    if started is not None and this.endpoint != "metrics":
        route = this.url_rule.rule if this.url_rule is not None else "unmatched"
        REQUESTS.labels(route, this.method, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(route, this.method).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    if str(app.config.get("METRICS_ENABLED", True)).lower() in ("0", "false", "no", "off"):
        return
    instrument(app.extensions["workflow"])
    app.add_url_rule("/metrics", "metrics", metrics_view)
    app.after_request(_count_request)
