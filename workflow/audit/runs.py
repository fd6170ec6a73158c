"""A program-wide verification as a background job: progress and result in `audit_runs`.

Without a separate worker it runs in a thread of the process that started it (the embedded default,
like the notices); the page reads the row, so any process can show it.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import insert, select, update

from workflow.audit.verify import Scope, count_events, verify
from workflow.db import utcnow
from workflow.models import AuditRun

log = logging.getLogger(__name__)
MAX_FAULTS = 200


def start(db, program_key: str | None, user_id: int | None, background: bool = True, reader=None) -> int:
    """Record a run and start it; `reader` is an engine for the long read (on SQLite one without the
    writers' `BEGIN IMMEDIATE`, so that the progress writes are not locked out)."""
    with db.begin() as connection:
        run_id = connection.execute(
            insert(AuditRun)
            .values(
                program_key=program_key, status="queued", total=0, done=0, faults=[], requested_by=user_id
            )
            .returning(AuditRun.id)
        ).scalar_one()
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


def run(db, run_id: int, reader=None) -> None:
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
        with reader.connect() as connection:
            progress = (lambda done: _set(db, run_id, done=done)) if progress_allowed else None
            report = verify(connection, scope, progress)
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
