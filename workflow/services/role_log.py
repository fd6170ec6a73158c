"""The log of role changes for administrators: the staff chain read newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from workflow.models import StaffEvent, User

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
    rows = rows[:limit]
    # today's names (the chain keeps the names as they were; the log is read by today's people)
    ids = {r["user_id"] for r in rows} | {r["actor_id"] for r in rows if r["actor_id"] is not None}
    names = dict(connection.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    for row in rows:
        row["user_name"] = names.get(row["user_id"], row["user_name"])
        row["actor_name"] = names.get(row["actor_id"], row["actor_name"])
    return RoleChanges(rows, older)
