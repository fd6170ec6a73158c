"""The read log: who looked at an application's personal or financial data, or downloaded a file, when,
and from which address. Append-only like the history (the database refuses UPDATE and DELETE)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select

from workflow.db import utcnow
from workflow.models import ReadLogEntry

KINDS = ("status", "form", "file", "bank", "letter", "review", "export")
PAGE_SIZE = 50
INSERT = insert(ReadLogEntry)


def record(
    db,
    *,
    user_id: int,
    user_name: str,
    kind: str,
    address: str,
    application_id: int | None = None,
    program_key: str | None = None,
    detail: str | None = None,
    now: datetime | None = None,
) -> None:
    """One row in its own transaction (a page view writes nothing else)."""
    with db.begin() as connection:
        connection.execute(
            INSERT,
            {
                "at": now or utcnow(),
                "user_id": user_id,
                "user_name": user_name[:200],
                "application_id": application_id,
                "program_key": program_key,
                "kind": kind,
                "detail": (detail or None) and detail[:255],
                "address": (address or "-")[:64],
            },
        )


@dataclass
class ReadFilter:
    user: str = ""
    application_id: int | None = None
    program_key: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self, query):
        if self.user:
            query = query.where(
                func.lower(ReadLogEntry.user_name).contains(self.user.lower(), autoescape=True)
            )
        if self.application_id is not None:
            query = query.where(ReadLogEntry.application_id == self.application_id)
        if self.program_key:
            query = query.where(ReadLogEntry.program_key == self.program_key)
        if self.kind:
            query = query.where(ReadLogEntry.kind == self.kind)
        if self.since is not None:
            query = query.where(ReadLogEntry.at >= self.since)
        if self.until is not None:
            query = query.where(ReadLogEntry.at < self.until)
        return query


COLUMNS = (
    ReadLogEntry.id,
    ReadLogEntry.at,
    ReadLogEntry.user_id,
    ReadLogEntry.user_name,
    ReadLogEntry.application_id,
    ReadLogEntry.program_key,
    ReadLogEntry.kind,
    ReadLogEntry.detail,
    ReadLogEntry.address,
)


def search(connection, where: ReadFilter, page: int = 1) -> tuple[list[dict], int]:
    """One page of entries, newest first, and the total matching."""
    total = connection.execute(where.where(select(func.count()).select_from(ReadLogEntry))).scalar_one()
    page = max(1, page)
    rows = connection.execute(
        where.where(select(*COLUMNS))
        .order_by(ReadLogEntry.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).mappings()
    return [dict(r) for r in rows], total


def stream(connection, where: ReadFilter) -> Iterator[dict]:
    """Every matching entry, oldest first, streamed (for the CSV export)."""
    result = connection.execute(
        where.where(select(*COLUMNS))
        .order_by(ReadLogEntry.id)
        .execution_options(stream_results=True, yield_per=1000)
    )
    try:
        for row in result.mappings():
            yield dict(row)
    finally:
        result.close()
