"""rq job functions: they take ids (JSON-serialisable) and reload everything from the database."""

from __future__ import annotations

from flask import current_app

from workflow.notices.deliver import deliver_many


class NoticeRetry(Exception):
    """A transient failure: rq retries the job with backoff (Retry on enqueue)."""


def deliver_batch_job(outbox_ids: list[int]) -> dict:
    """Deliver a batch of outbox rows; raise to let rq retry the rows to retry (a re-run skips the rows
    already sent or failed), return normally when none is left to retry."""
    service = current_app.extensions["notices"]
    outcomes = deliver_many(service, [int(i) for i in outbox_ids])
    retry = [o for o in outcomes if o.status == "retry"]
    if retry:
        details = "; ".join(f"{o.outbox_id}: {o.detail}" for o in retry)
        raise NoticeRetry(f"notices to retry: {details}"[:2000])
    by_status: dict[str, list[int]] = {}
    for outcome in outcomes:
        by_status.setdefault(outcome.status, []).append(outcome.outbox_id)
    return by_status


def deliver_job(outbox_id: int) -> dict:
    """The one-row job of earlier versions, for jobs still queued when a deployment upgrades."""
    return deliver_batch_job([outbox_id])
