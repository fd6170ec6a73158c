"""Recording staff reads of an application's personal or financial data (the read log)."""

from __future__ import annotations

from flask import request

from workflow.audit import readlog
from workflow.web.auth import current_actor, db


def log_read(kind: str, row=None, detail: str | None = None) -> None:
    """One read-log row for the signed-in user looking at `row` (an application, as a row or a dict) now."""
    actor = current_actor()
    if actor is None:
        return
    if row is not None and not isinstance(row, dict):
        row = {"id": row.id, "program_key": row.program_key}
    readlog.record(
        db(),
        user_id=actor.id,
        user_name=actor.name,
        kind=kind,
        address=request.remote_addr or "-",
        application_id=row["id"] if row else None,
        program_key=row["program_key"] if row else None,
        detail=detail,
    )
