"""The statements SQLite and PostgreSQL spell alike but SQLAlchemy builds per dialect, each built once."""

from __future__ import annotations

from functools import cache

from sqlalchemy import and_, or_
from sqlalchemy.dialects import postgresql, sqlite

from workflow.models import NoticeRun


def _dialect(name: str):
    return postgresql if name == "postgresql" else sqlite


@cache
def _insert_ignoring(dialect_name: str, model):
    # built once per table: building the statement costs more than running it
    return _dialect(dialect_name).insert(model).on_conflict_do_nothing()


def insert_ignoring_duplicates(connection, model, values: dict | list[dict]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING; the number of rows inserted (0 if the row was there; not
    meaningful for a list of rows)."""
    return connection.execute(_insert_ignoring(connection.dialect.name, model), values).rowcount


# the lease a notice has while its ids wait in rq for a worker (a run's lease has a random token)
QUEUED = "rq"


@cache
def lease_upsert(dialect_name: str):
    """Take the lease of a notice that has no run row yet, whose lease has expired, or that waits in rq
    (the new `updated_at` is the moment of the claim); RETURNING names the rows taken."""
    statement = _dialect(dialect_name).insert(NoticeRun)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[NoticeRun.outbox_id],
        set_={"lease_token": new.lease_token, "lease_until": new.lease_until, "updated_at": new.updated_at},
        where=or_(
            NoticeRun.lease_until.is_(None),
            NoticeRun.lease_until < new.updated_at,
            NoticeRun.lease_token == QUEUED,
        ),
    ).returning(NoticeRun.outbox_id)


@cache
def dispatch_upsert(dialect_name: str):
    """Give a notice that is free (no live lease) and due (no later `next_attempt_at`) to rq: the lease
    `QUEUED` until the moment the sweep may send it again, whatever became of the job; a worker's claim
    takes it over. RETURNING names the rows taken (two senders racing: one takes each row)."""
    statement = _dialect(dialect_name).insert(NoticeRun)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[NoticeRun.outbox_id],
        set_={"lease_token": new.lease_token, "lease_until": new.lease_until, "updated_at": new.updated_at},
        where=and_(
            or_(NoticeRun.lease_until.is_(None), NoticeRun.lease_until < new.updated_at),
            or_(NoticeRun.next_attempt_at.is_(None), NoticeRun.next_attempt_at <= new.updated_at),
        ),
    ).returning(NoticeRun.outbox_id)
