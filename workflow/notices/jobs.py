"""rq job functions: they take ids (JSON-serialisable) and reload everything from the database."""

from __future__ import annotations

from flask import current_app

from workflow.notices.deliver import deliver


class NoticeRetry(Exception):
    """A transient failure: rq retries the job with backoff (Retry on enqueue)."""


def deliver_job(outbox_id: int) -> dict:
    """Deliver one outbox row; raise to let rq retry, return normally when sent, failed or skipped."""
    service = current_app.extensions["notices"]
    outcome = deliver(service, int(outbox_id))
    if outcome.status == "retry":
        raise NoticeRetry(f"notice {outbox_id}: {outcome.detail}")
    return {"outbox_id": outcome.outbox_id, "status": outcome.status, "detail": outcome.detail}
