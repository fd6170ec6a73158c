"""From outbox rows to deliveries: wake an rq worker (or run in-process), sweep what is due, retry failures.

The database is the single source of truth for every notice (`notice_runs`): its lease — held by rq
(`QUEUED`) from the moment its ids are sent to rq, then by the run that claims it — and `next_attempt_at`,
when a notice to retry may go again. rq only carries outbox ids to wake a worker. Both leases last
`NOTICE_LEASE_SECONDS`; the sweep (`flask tick`) sends again every waiting notice whose lease has expired
and whose next attempt has come, whatever rq thinks — a job lost with Redis, stranded in rq's lists by a
killed worker, or a notice to retry after its backoff.
Duplicate wake-ups are harmless: the claim lets one run work on a notice at a time and skips the done.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer
from sqlalchemy import bindparam, delete, or_, select, update

from workflow.models import NoticeDelivery, NoticeRun, OutboxMessage
from workflow.notices.claims import WAITING
from workflow.notices.deliver import deliver_many
from workflow.notices.dialect import QUEUED, dispatch_upsert
from workflow.ops.logs import current_request_id

log = logging.getLogger(__name__)
JOB_FUNCTION = "workflow.notices.jobs.deliver_batch_job"
MARK_QUEUED = (
    update(OutboxMessage)
    .where(OutboxMessage.id.in_(bindparam("b_ids", expanding=True)), OutboxMessage.status == "pending")
    .values(status="queued")
)
# a wake-up that never reached Redis: free again at once (the next sweep sends it)
UNDO_DISPATCH = (
    update(NoticeRun)
    .where(
        NoticeRun.outbox_id.in_(bindparam("b_ids", expanding=True)),
        NoticeRun.lease_token == QUEUED,
        NoticeRun.lease_until == bindparam("b_until"),
    )
    .values(lease_token=None, lease_until=None)
)


def batches(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


@dataclass
class SweepReport:
    enqueued: int = 0
    outcomes: dict = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.outcomes[status] = self.outcomes.get(status, 0) + 1

    def __str__(self) -> str:
        parts = [f"{self.enqueued} enqueued"] + [
            f"{n} {status}" for status, n in sorted(self.outcomes.items())
        ]
        return "notices: " + ", ".join(parts)


class Relay:
    def __init__(self, service):
        self.service = service
        self.settings = service.settings
        self._redis: Redis | None = None

    # Redis ---------------------------------------------------------------------------------
    def redis(self) -> Redis:
        if self._redis is None:
            self._redis = Redis.from_url(self.settings.redis_url, socket_connect_timeout=2, socket_timeout=10)
        return self._redis

    def close(self) -> None:
        redis, self._redis = self._redis, None
        if redis is not None:
            redis.close()

    def queue(self) -> Queue:
        return Queue(self.settings.queue_name, connection=self.redis(), serializer=JSONSerializer)

    def _timeout(self, batch: list[int]) -> int:
        """A stuck job's limit (the run's lease is renewed meanwhile; a batch normally takes well under a
        second)."""
        return max(120, int(self.settings.smtp_timeout * 6)) + 2 * len(batch)

    # after commit ----------------------------------------------------------------------------
    def dispatch(self, outbox_ids: list[int]) -> None:
        """Right after commit: wake a worker (rq) or deliver now (embedded)."""
        if self.settings.embedded:
            for batch in batches(sorted(set(outbox_ids)), self.settings.batch_size):
                deliver_many(self.service, batch)
        else:
            self.enqueue(outbox_ids)

    def enqueue(self, outbox_ids: list[int], now=None) -> int:
        """Send the waiting, free and due rows among `outbox_ids` to rq in batches, each leased to rq for
        `NOTICE_LEASE_SECONDS`, so it is not sent again before. The number of rows sent. Raises if Redis
        is down (the rows are then free again at once)."""
        if not outbox_ids:
            return 0
        now = now or self.service.clock()
        until = now + timedelta(seconds=self.settings.lease_seconds)
        taken = self._take(sorted(set(outbox_ids)), now, until)
        if not taken:
            return 0
        try:
            work = [
                Queue.prepare_data(
                    JOB_FUNCTION,
                    args=(batch,),
                    timeout=self._timeout(batch),
                    result_ttl=600,
                    failure_ttl=7 * 24 * 3600,
                    description=f"notices {batch[0]}..{batch[-1]} ({len(batch)})",
                    meta={"request_id": current_request_id()},
                )
                for batch in batches(taken, self.settings.batch_size)
            ]
            with self.redis().pipeline() as pipe:
                self.queue().enqueue_many(work, pipeline=pipe)
                pipe.execute()
        except Exception:
            with self.service.db.begin() as connection:
                connection.execute(UNDO_DISPATCH, {"b_ids": taken, "b_until": until})
            raise
        with self.service.db.begin() as connection:
            connection.execute(MARK_QUEUED, {"b_ids": taken})
        return len(taken)

    def _take(self, ids: list[int], now, until) -> list[int]:
        """Take the rows to send to rq (one transaction); the ones this call took, in id order."""
        with self.service.db.begin() as connection:
            waiting = list(
                connection.execute(
                    select(OutboxMessage.id).where(
                        OutboxMessage.id.in_(ids), OutboxMessage.status.in_(WAITING)
                    )
                ).scalars()
            )
            if not waiting:
                return []
            rows = [
                {"outbox_id": i, "lease_token": QUEUED, "lease_until": until, "updated_at": now}
                for i in waiting
            ]
            return sorted(connection.execute(dispatch_upsert(connection.dialect.name), rows).scalars())

    # the periodic sweep ------------------------------------------------------------------------
    def due(self, now, limit: int = 2000) -> list[int]:
        """Waiting rows whose lease (rq's or a run's) has expired and whose next attempt has come, or
        that were never sent."""
        free = or_(NoticeRun.lease_until.is_(None), NoticeRun.lease_until < now)
        ready = free & or_(NoticeRun.next_attempt_at.is_(None), NoticeRun.next_attempt_at <= now)
        with self.service.db.connect() as connection:
            return list(
                connection.execute(
                    select(OutboxMessage.id)
                    .outerjoin(NoticeRun, NoticeRun.outbox_id == OutboxMessage.id)
                    .where(OutboxMessage.status.in_(WAITING), or_(NoticeRun.outbox_id.is_(None), ready))
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                ).scalars()
            )

    def sweep(self, now=None, limit: int = 2000) -> SweepReport:
        """Deliver (embedded) or send to rq every notice that is due and not being worked on."""
        now = now or self.service.clock()
        report = SweepReport()
        waiting = self.due(now, limit)
        if self.settings.embedded:
            for batch in batches(waiting, self.settings.batch_size):
                for outcome in deliver_many(self.service, batch):
                    report.count(outcome.status)
        else:
            report.enqueued = self.enqueue(waiting, now)
        return report

    # officers' retry ---------------------------------------------------------------------------
    def retry(self, outbox_ids: list[int] | None = None) -> list[int]:
        """Put failed notices back (all, or the given ones); e-mails already sent are not sent again."""
        with self.service.db.begin() as connection:
            query = select(OutboxMessage.id).where(OutboxMessage.status == "failed")
            if outbox_ids is not None:
                query = query.where(OutboxMessage.id.in_(outbox_ids))
            ids = list(connection.execute(query).scalars())
            if not ids:
                return []
            connection.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(status="pending", attempts=0, last_error=None)
            )
            connection.execute(
                delete(NoticeDelivery).where(
                    NoticeDelivery.outbox_id.in_(ids), NoticeDelivery.status == "failed"
                )
            )
            connection.execute(
                update(NoticeRun)
                .where(NoticeRun.outbox_id.in_(ids))
                .values(next_attempt_at=None, lease_token=None, lease_until=None)
            )
        self.service.dispatch_or_leave_to_sweep(ids, "officer's retry")
        return ids
