"""A program-wide verification as a background job: progress and result in `audit_runs`.

With Redis configured it is an rq job on the notices' queue, run by a `flask worker` (in AUDIT_VERIFY_JOBS
processes, `workflow/audit/parallel.py`); without one — or when Redis does not answer — it runs in
a thread of the process that started it (the embedded default, like the notices). The page reads the
row, so any process can show it.
"""

from __future__ import annotations

import logging
import threading

from flask import current_app
from sqlalchemy import insert, select, update

from workflow.audit.parallel import verify_parallel
from workflow.audit.verify import Scope, count_events
from workflow.db import utcnow
from workflow.models import AuditRun

log = logging.getLogger(__name__)
MAX_FAULTS = 200
JOB_FUNCTION = "workflow.audit.runs.run_job"
JOB_TIMEOUT = 6 * 3600  # 2,000,000 events take about a minute; a stuck run is given up after this


def start(
    db, program_key: str | None, user_id: int | None, background: bool = True, reader=None, queue=None
) -> int:
    """Record a run and start it: on rq's `queue` when given, else in a thread (`background`) or now;
    `reader` is an engine for the long read (on SQLite one without the writers' `BEGIN IMMEDIATE`, so
    that the progress writes are not locked out)."""
    with db.begin() as connection:
        run_id = connection.execute(
            insert(AuditRun)
            .values(
                program_key=program_key, status="queued", total=0, done=0, faults=[], requested_by=user_id
            )
            .returning(AuditRun.id)
        ).scalar_one()
    if background and queue is not None:
        try:
            queue.enqueue(
                JOB_FUNCTION,
                run_id,
                job_timeout=JOB_TIMEOUT,
                result_ttl=600,
                description=f"audit run {run_id}",
            )
            return run_id
        except Exception as error:  # noqa: BLE001 - Redis down: the run is not lost, it runs here
            log.warning(
                "audit run %s: the queue did not answer (%s); running it in this process", run_id, error
            )
    if background:
        thread = threading.Thread(
            target=run, args=(db, run_id, reader), name=f"audit-run-{run_id}", daemon=True
        )
        thread.start()
    else:
        run(db, run_id, reader)
    return run_id


def _set(db, run_id: int, **values) -> None:
    with db.begin() as connection:
        connection.execute(update(AuditRun).where(AuditRun.id == run_id).values(**values))


def run_job(run_id: int) -> None:
    """rq: the run in a `flask worker` (which has the app context), in AUDIT_VERIFY_JOBS processes."""
    run(
        current_app.extensions["workflow"].db,
        run_id,
        jobs=int(current_app.config.get("AUDIT_VERIFY_JOBS") or 1),
    )


def run(db, run_id: int, reader=None, jobs: int = 1) -> None:
    """Walk the chains of the run's program (all when none), writing progress as it goes."""
    # on SQLite the writers' engine holds the write lock for a whole read: no progress writes then
    progress_allowed = reader is not None or db.dialect.name != "sqlite"
    reader = reader or db
    try:
        with db.connect() as connection:
            program_key = connection.execute(
                select(AuditRun.program_key).where(AuditRun.id == run_id)
            ).scalar()
            scope = Scope(program=program_key)
            total = count_events(connection, scope)
        _set(db, run_id, status="running", total=total)
        progress = (lambda done: _set(db, run_id, done=done)) if progress_allowed else None
        report = verify_parallel(reader, scope, jobs, progress)
        faults = [fault.as_dict() for fault in report.faults[:MAX_FAULTS]]
        _set(
            db,
            run_id,
            status="faults" if report.faults else "ok",
            done=report.events,
            faults=faults,
            finished_at=utcnow(),
        )
    except Exception as error:  # noqa: BLE001 - the page shows that the run failed, and why
        log.exception("audit run %s failed", run_id)
        _set(db, run_id, status="failed", error=str(error)[:500], finished_at=utcnow())


def get(connection, run_id: int) -> dict | None:
    row = connection.execute(select(AuditRun).where(AuditRun.id == run_id)).mappings().first()
    return dict(row) if row else None


def recent(connection, limit: int = 10) -> list[dict]:
    return [
        dict(r)
        for r in connection.execute(select(AuditRun).order_by(AuditRun.id.desc()).limit(limit)).mappings()
    ]
