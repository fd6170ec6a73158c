"""The log of role changes for administrators: the staff chain read newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from workflow.models import StaffEvent

PAGE_SIZE = 50


@dataclass
class RoleChanges:
    events: list[dict]
    older: int | None  # the `before` of the next page (None: this is the last)


def changes(
    connection, user_id: int | None = None, before: int | None = None, limit: int = PAGE_SIZE
) -> RoleChanges:
    """Who granted or revoked which role for which program, invited, switched on or off whom, and when;
    newest first, paged by sequence number (`before`: show events older than this one)."""
    query = select(
        StaffEvent.seq,
        StaffEvent.action,
        StaffEvent.user_id,
        StaffEvent.user_name,
        StaffEvent.role,
        StaffEvent.program_key,
        StaffEvent.actor_id,
        StaffEvent.actor_name,
        StaffEvent.at,
    )
    if user_id is not None:
        query = query.where(StaffEvent.user_id == user_id)
    if before is not None:
        query = query.where(StaffEvent.seq < before)
    rows = [
        dict(r._mapping) for r in connection.execute(query.order_by(StaffEvent.seq.desc()).limit(limit + 1))
    ]
    older = rows[limit - 1]["seq"] if len(rows) > limit else None
    return RoleChanges(rows[:limit], older)
