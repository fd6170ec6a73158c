"""Limited places (`capacity:` in a rule file): who holds a place, the waiting list, and promotion.

An application holds a place while it is in one of the `holding` states. A guard reads
`capacity.seats`, `capacity.taken`, `capacity.left`, `capacity.waiting` (how many wait) and
`capacity.position` (this application's place on the waiting list, 0 if it is not waiting). When a
move takes an application out of the holding states (a cancellation, a no-show), the first application
waiting — in the order they entered the waiting state — is moved by the `promote` trigger as `system`,
in the same transaction, for as long as places are free.
"""

from __future__ import annotations

import zlib

from sqlalchemy import and_, func, or_, select, text

from workflow.engine.actors import SYSTEM
from workflow.models import Application
from workflow.vocabulary.guards import ContextSource, register_context

SAMPLE = {"seats": 1, "taken": 0, "left": 1, "waiting": 0, "position": 0}


def _lock(connection, program_key: str) -> None:
    """Serialise the counting of one program's places on PostgreSQL (SQLite writers are serial already)."""
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(f"capacity:{program_key}".encode())
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _count(connection, program_key: str, states) -> int:
    return connection.execute(
        select(func.count(Application.id)).where(
            Application.program_key == program_key, Application.state.in_(list(states))
        )
    ).scalar_one()


def capacity_summary(connection, application, program) -> dict:
    spec = program.spec.capacity if program is not None else None
    if spec is None:
        return dict(SAMPLE, seats=0, left=0)
    _lock(connection, program.key)
    taken = _count(connection, program.key, spec.holding)
    waiting = _count(connection, program.key, [spec.waiting])
    position = 0
    if application.state == spec.waiting:
        ahead = connection.execute(
            select(func.count(Application.id)).where(
                Application.program_key == program.key,
                Application.state == spec.waiting,
                or_(
                    Application.state_entered_at < application.state_entered_at,
                    and_(
                        Application.state_entered_at == application.state_entered_at,
                        Application.id < application.id,
                    ),
                ),
            )
        ).scalar_one()
        position = ahead + 1
    return {
        "seats": spec.seats,
        "taken": taken,
        "left": max(spec.seats - taken, 0),
        "waiting": waiting,
        "position": position,
    }


register_context(ContextSource("capacity", capacity_summary, sample=SAMPLE, reads_program=True))


def promote_waiting(tx, program, left_state: str, entered_state: str) -> None:
    """After a move out of the holding states, move the first ones waiting into the freed places."""
    spec = program.spec.capacity
    if left_state not in spec.holding or entered_state in spec.holding:
        return
    _lock(tx.connection, program.key)
    free = spec.seats - _count(tx.connection, program.key, spec.holding)
    if free <= 0:
        return
    first = tx.connection.execute(
        select(Application.id)
        .where(Application.program_key == program.key, Application.state == spec.waiting)
        .order_by(Application.state_entered_at, Application.id)
        .limit(free)
    ).scalars()
    for application_id in list(first):
        tx.fire(application_id, spec.promote, SYSTEM, reason=None)
