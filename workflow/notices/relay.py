"""From outbox rows to deliveries: enqueue to rq (or run in-process), sweep what was missed, retry failures.

Rows go to rq in batches (`NOTICE_BATCH_SIZE`, 50): the rows committed together, the sweep's rows in
chunks. A batch's job id is derived from its outbox ids (`notice-<id>` for one row,
`notice-<first>-<last>-<digest>` for more; another queue than `notices` prefixes it), and a key per row
(`<queue>:job-of:<outbox id>`, written with the job) names the job covering the row: a row whose job is
still live is never queued again.
Redis being down only delays notices: the rows stay `pending` and the next sweep (`flask tick`)
enqueues them. The database, not Redis, says whether a notice is done.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from redis import Redis
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import bindparam, delete, or_, select, update

from workflow.models import NoticeDelivery, NoticeRun, OutboxMessage
from workflow.notices.deliver import deliver_many

log = logging.getLogger(__name__)
LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
JOB_FUNCTION = "workflow.notices.jobs.deliver_batch_job"
# a row's key outlives any job rq keeps live in practice; if it expired first, the row could be queued
# a second time, which the leases make harmless
COVER_SECONDS = 24 * 3600
MARK_QUEUED = (
    update(OutboxMessage)
    .where(OutboxMessage.id.in_(bindparam("b_ids", expanding=True)), OutboxMessage.status == "pending")
    .values(status="queued")
)


def job_id(outbox_ids: Sequence[int], queue_name: str = "notices") -> str:
    prefix = "notice" if queue_name == "notices" else f"{queue_name}-notice"
    ids = sorted(outbox_ids)
    if len(ids) == 1:
        return f"{prefix}-{ids[0]}"
    digest = hashlib.blake2b(",".join(map(str, ids)).encode(), digest_size=5).hexdigest()
    return f"{prefix}-{ids[0]}-{ids[-1]}-{digest}"


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

    def _retry(self) -> Retry | None:
        retries = self.settings.max_attempts - 1
        return Retry(max=retries, interval=list(self.settings.retry_intervals)) if retries > 0 else None

    def cover_key(self, outbox_id: int) -> str:
        return f"{self.settings.queue_name}:job-of:{outbox_id}"

    def _timeout(self, batch: list[int]) -> int:
        """A stuck job's limit. Kept short: rq takes a killed SimpleWorker's job for abandoned only this
        long (plus a minute) after it started; a batch normally takes well under a second."""
        return max(120, int(self.settings.smtp_timeout * 6)) + 2 * len(batch)

    # after commit ----------------------------------------------------------------------------
    def dispatch(self, outbox_ids: list[int]) -> None:
        """Right after commit: enqueue (rq) or deliver now (embedded)."""
        if self.settings.embedded:
            for batch in batches(sorted(set(outbox_ids)), self.settings.batch_size):
                deliver_many(self.service, batch)
        else:
            self.enqueue(outbox_ids)

    def enqueue(self, outbox_ids: list[int]) -> int:
        """Queue the rows in batches, leaving out every row a live job covers; mark the rows `queued`.
        The number of rows queued. Raises if Redis is down."""
        if not outbox_ids:
            return 0
        redis = self.redis()
        ids = sorted(set(outbox_ids))
        covering = [value.decode() if value else None for value in redis.mget(map(self.cover_key, ids))]
        jobs: dict[str, Job] = {}
        if any(covering):
            found = Job.fetch_many(
                sorted(set(filter(None, covering))), connection=redis, serializer=JSONSerializer
            )
            jobs = {job.id: job for job in found if job is not None}
        live = {name for name, job in jobs.items() if job.get_status(refresh=False) in LIVE}
        fresh = [i for i, covered_by in zip(ids, covering, strict=True) if covered_by not in live]
        if not fresh:
            return 0
        queue_name = self.settings.queue_name
        with redis.pipeline() as pipe:
            work = []
            for batch in batches(fresh, self.settings.batch_size):
                name = job_id(batch, queue_name)
                if name in jobs:
                    jobs[name].delete(pipeline=pipe)  # the same rows' finished or failed job
                for outbox_id in batch:
                    pipe.set(self.cover_key(outbox_id), name, ex=COVER_SECONDS)
                work.append(
                    Queue.prepare_data(
                        JOB_FUNCTION,
                        args=(batch,),
                        job_id=name,
                        retry=self._retry(),
                        timeout=self._timeout(batch),
                        result_ttl=3600,
                        failure_ttl=7 * 24 * 3600,
                        description=f"notices {batch[0]}..{batch[-1]} ({len(batch)})",
                    )
                )
            self.queue().enqueue_many(work, pipeline=pipe)
            pipe.execute()
        with self.service.db.begin() as connection:
            connection.execute(MARK_QUEUED, {"b_ids": fresh})
        return len(fresh)

    # the periodic sweep ------------------------------------------------------------------------
    def _waiting(self, statuses: tuple[str, ...], now, limit: int, due_only: bool) -> list[int]:
        lease_free = or_(NoticeRun.lease_until.is_(None), NoticeRun.lease_until < now)
        ready = lease_free
        if due_only:
            ready = lease_free & or_(NoticeRun.next_attempt_at.is_(None), NoticeRun.next_attempt_at <= now)
        with self.service.db.connect() as connection:
            return list(
                connection.execute(
                    select(OutboxMessage.id)
                    .outerjoin(NoticeRun, NoticeRun.outbox_id == OutboxMessage.id)
                    .where(OutboxMessage.status.in_(statuses), or_(NoticeRun.outbox_id.is_(None), ready))
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                ).scalars()
            )

    def sweep(self, now=None, limit: int = 2000) -> SweepReport:
        """Deliver (embedded) or enqueue (rq) every notice that is due and not being worked on."""
        now = now or self.service.clock()
        report = SweepReport()
        if self.settings.embedded:
            waiting = self._waiting(("pending", "queued"), now, limit, due_only=True)
            for batch in batches(waiting, self.settings.batch_size):
                for outcome in deliver_many(self.service, batch):
                    report.count(outcome.status)
            return report
        # jobs whose worker died are retried by rq (or marked failed) once their heartbeat expired
        StartedJobRegistry(queue=self.queue()).cleanup(timestamp=now.timestamp())
        self._release_due_retries(now)
        waiting = self._waiting(("pending", "queued"), now, limit, due_only=False)
        report.enqueued = self.enqueue(waiting)
        return report

    def _release_due_retries(self, now) -> None:
        """Queue retries whose time has come even if no worker holds the scheduler lock: the lock of a
        SIGKILLed worker lives on, and rq's workers only try to take it over every ten minutes."""
        queue = self.queue()
        registry = ScheduledJobRegistry(queue=queue)
        due = registry.get_jobs_to_schedule(int(now.timestamp()))
        for job in Job.fetch_many(due, connection=self.redis(), serializer=JSONSerializer):
            # whoever removes it from the registry queues it (a scheduler racing us finds it gone)
            if job is not None and self.redis().zrem(registry.key, job.id):
                queue.enqueue_job(job)

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
        try:
            self.dispatch(ids)
        except Exception:  # noqa: BLE001 - Redis down: the rows are pending, the sweep takes them
            log.exception("notices %s: retry queued for the next sweep", ids)
        return ids
