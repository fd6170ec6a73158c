"""rq job functions: they take ids (JSON-serialisable) and reload everything from the database."""

from __future__ import annotations

import logging

from flask import current_app
from rq import get_current_job

from workflow.notices.deliver import deliver_many
from workflow.ops.logs import bound

log = logging.getLogger(__name__)


def deliver_batch_job(outbox_ids: list[int]) -> dict:
    """Deliver a batch of outbox rows under the id of the request that enqueued them (logs); the outbox
    ids by outcome. A row to retry is back in the database with its next attempt's time, which the sweep
    honours: rq never retries a job."""
    job = get_current_job()
    with bound((job.meta or {}).get("request_id") if job is not None else None):
        outcome = _deliver_batch(outbox_ids)
        log.info(
            "notice job %s: %s",
            job.id if job is not None else "-",
            {status: len(ids) for status, ids in outcome.items()},
            extra={"event": "job", "job_id": job.id if job is not None else None},
        )
        return outcome


def _deliver_batch(outbox_ids: list[int]) -> dict:
    service = current_app.extensions["notices"]
    by_status: dict[str, list[int]] = {}
    for outcome in deliver_many(service, [int(i) for i in outbox_ids]):
        by_status.setdefault(outcome.status, []).append(outcome.outbox_id)
    return by_status


def deliver_job(outbox_id: int) -> dict:
    """The one-row job of earlier versions, for jobs still queued when a deployment upgrades."""
    return deliver_batch_job([outbox_id])
