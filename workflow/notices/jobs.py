"""rq job functions: they take ids (JSON-serialisable) and reload everything from the database."""

from __future__ import annotations

from flask import current_app

from workflow.notices.deliver import deliver_many


def deliver_batch_job(outbox_ids: list[int]) -> dict:
    """Deliver a batch of outbox rows; the outbox ids by outcome. A row to retry is back in the database
    with its next attempt's time, which the sweep honours: rq never retries a job."""
    service = current_app.extensions["notices"]
    by_status: dict[str, list[int]] = {}
    for outcome in deliver_many(service, [int(i) for i in outbox_ids]):
        by_status.setdefault(outcome.status, []).append(outcome.outbox_id)
    return by_status


def deliver_job(outbox_id: int) -> dict:
    """The one-row job of earlier versions, for jobs still queued when a deployment upgrades."""
    return deliver_batch_job([outbox_id])
