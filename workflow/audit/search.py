"""Searching the history: events by program, state, date range, actor and trigger (newest first)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from workflow.models import HistoryEvent

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
E = HistoryEvent
COLUMNS = (
    E.application_id,
    E.seq,
    E.at,
    E.program_key,
    E.program_version,
    E.definition_sha,
    E.from_state,
    E.to_state,
    E.trigger,
    E.actor_id,
    E.actor_name,
    E.actor_roles,
    E.reason,
    E.diff,
    E.data_hash,
    E.row_version,
    E.detail,
    E.prev_hash,
    E.hash,
)
CSV_FIELDS = tuple(column.key for column in COLUMNS)


@dataclass
class EventFilter:
    program_key: str | None = None
    state: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    actor: str = ""
    trigger: str | None = None
    application_id: int | None = None

    def where(self, query):
        if self.program_key:
            query = query.where(E.program_key == self.program_key)
        if self.state:
            query = query.where(or_(E.to_state == self.state, E.from_state == self.state))
        if self.since is not None:
            query = query.where(E.at >= self.since)
        if self.until is not None:
            query = query.where(E.at < self.until)
        if self.actor:
            query = query.where(func.lower(E.actor_name).contains(self.actor.lower(), autoescape=True))
        if self.trigger:
            query = query.where(E.trigger == self.trigger)
        if self.application_id is not None:
            query = query.where(E.application_id == self.application_id)
        return query


def search(connection, where: EventFilter, page: int = 1) -> tuple[list[dict], int]:
    total = connection.execute(where.where(select(func.count()).select_from(E))).scalar_one()
    rows = connection.execute(
        where.where(select(*COLUMNS))
        .order_by(E.at.desc(), E.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(1, page) - 1) * PAGE_SIZE)
    ).mappings()
    return [dict(r) for r in rows], total


def stream(connection, where: EventFilter, limit: int = EXPORT_LIMIT) -> Iterator[dict]:
    """Matching events in chain order (application, seq), streamed, for a CSV export."""
    result = connection.execute(
        where.where(select(*COLUMNS))
        .order_by(E.application_id, E.seq)
        .limit(limit)
        .execution_options(stream_results=True, yield_per=1000)
    )
    try:
        for row in result.mappings():
            yield dict(row)
    finally:
        result.close()
