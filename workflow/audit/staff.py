"""The staff chain: every role granted or revoked and every account switched on or off, hash-chained.

`audit verify` replays it and compares the result with `user_roles` and `users.active`, so a role given
in the database directly is found.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import insert, select

from workflow.engine.history import canonical
from workflow.models import StaffEvent

STAFF_HASHED = (
    "seq",
    "action",
    "user_id",
    "user_name",
    "role",
    "program_key",
    "actor_id",
    "actor_name",
    "at",
    "prev_hash",
)
LAST = select(StaffEvent.seq, StaffEvent.hash).order_by(StaffEvent.seq.desc()).limit(1)
INSERT = insert(StaffEvent)


def staff_hash(event) -> str:
    content = {name: event[name] for name in STAFF_HASHED}
    content["at"] = content["at"].astimezone(UTC).isoformat(timespec="microseconds")
    return hashlib.sha256(canonical(content)).hexdigest()


def append_staff_event(
    connection,
    action: str,
    user: tuple[int, str],
    actor_id: int | None,
    actor_name: str,
    now: datetime,
    role: str | None = None,
    program_key: str | None = None,
) -> dict:
    """Append one event inside the caller's transaction (a race on the next seq fails on its unique key)."""
    last = connection.execute(LAST).first()
    event = {
        "seq": (last.seq if last else 0) + 1,
        "action": action,
        "user_id": user[0],
        "user_name": user[1],
        "role": role,
        "program_key": program_key,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "at": now,
        "prev_hash": last.hash if last else "",
    }
    event["hash"] = staff_hash(event)
    connection.execute(INSERT, event)
    return event
