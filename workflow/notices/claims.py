"""Leases on outbox rows: a run claims the rows of its batch before working on them, renews the lease
while it works and releases it when done, so two runs never work on the same notice at once.

Every statement locks outbox rows in id order (the claim through `FOR UPDATE` in an ordered subquery,
the finish row by row in id order): two runs over overlapping batches queue instead of deadlocking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, update

from workflow.models import NoticeRun, OutboxMessage
from workflow.notices.dialect import lease_upsert

WAITING = ("pending", "queued")
_locked = OutboxMessage.__table__.alias("locked")

COUNT_ATTEMPT = (
    update(OutboxMessage)
    .where(
        OutboxMessage.id.in_(
            select(_locked.c.id)
            .where(_locked.c.id.in_(bindparam("b_ids", expanding=True)), _locked.c.status.in_(WAITING))
            .order_by(_locked.c.id)
            .with_for_update()
        )
    )
    .values(attempts=OutboxMessage.attempts + 1)
    .returning(OutboxMessage.id, OutboxMessage.attempts)
)
UNCOUNT_ATTEMPT = (
    update(OutboxMessage)
    .where(OutboxMessage.id.in_(bindparam("b_ids", expanding=True)))
    .values(attempts=OutboxMessage.attempts - 1)
)
RENEW = (
    update(NoticeRun)
    .where(
        NoticeRun.outbox_id.in_(bindparam("b_ids", expanding=True)),
        NoticeRun.lease_token == bindparam("b_token"),
    )
    .values(lease_until=bindparam("b_until"), updated_at=bindparam("b_now"))
    .returning(NoticeRun.outbox_id)
)
# `coalesce`: a row to retry keeps its status (pending or queued)
FINISH = (
    update(OutboxMessage)
    .where(
        OutboxMessage.id == bindparam("b_id"),
        # not IN (...): an expanding parameter cannot be used with executemany
        or_(OutboxMessage.status == "pending", OutboxMessage.status == "queued"),
    )
    .values(
        status=func.coalesce(bindparam("b_status", type_=OutboxMessage.status.type), OutboxMessage.status),
        sent_at=bindparam("b_sent_at"),
        last_error=bindparam("b_error"),
    )
)
RELEASE = (
    update(NoticeRun)
    .where(NoticeRun.outbox_id == bindparam("b_id"), NoticeRun.lease_token == bindparam("b_token"))
    .values(
        lease_token=None, lease_until=None, next_attempt_at=bindparam("b_next"), updated_at=bindparam("b_now")
    )
)


@dataclass
class Lease:
    token: str
    attempts: dict[int, int]  # outbox id → attempts including this run, for every row the run holds
    busy: list[int]  # rows another run holds: their attempt was not counted
    until: datetime
    seconds: int

    def due_for_renewal(self, now: datetime) -> bool:
        return now >= self.until - timedelta(seconds=self.seconds / 2)


def claim(connection, outbox_ids: list[int], token: str, now: datetime, seconds: int) -> Lease:
    """Count an attempt on every waiting row of `outbox_ids` and take its lease, in one transaction;
    rows another run holds keep their count and are reported busy."""
    until = now + timedelta(seconds=seconds)
    with connection.begin():
        attempts = dict(connection.execute(COUNT_ATTEMPT, {"b_ids": outbox_ids}).all())
        held: set[int] = set()
        if attempts:
            leases = [
                {"outbox_id": i, "lease_token": token, "lease_until": until, "updated_at": now}
                for i in sorted(attempts)
            ]
            held = set(connection.execute(lease_upsert(connection.dialect.name), leases).scalars())
        busy = sorted(set(attempts) - held)
        if busy:
            connection.execute(UNCOUNT_ATTEMPT, {"b_ids": busy})
    return Lease(token, {i: n for i, n in attempts.items() if i in held}, busy, until, seconds)


def renew(connection, lease: Lease, outbox_ids: list[int], now: datetime) -> set[int]:
    """Extend the lease on the rows still to do; the ones it returns are still this run's."""
    until = now + timedelta(seconds=lease.seconds)
    with connection.begin():
        kept = set(
            connection.execute(
                RENEW, {"b_ids": outbox_ids, "b_token": lease.token, "b_until": until, "b_now": now}
            ).scalars()
        )
    lease.until = until
    return kept


def finish_rows(connection, rows: list[dict]) -> None:
    """Within the caller's transaction: each row's final status (or its error, to retry) and its lease
    released with the time of the next attempt. `rows`: b_id, b_status, b_sent_at, b_error, b_next,
    b_token, b_now."""
    rows = sorted(rows, key=lambda row: row["b_id"])
    connection.execute(FINISH, rows)
    connection.execute(RELEASE, rows)
