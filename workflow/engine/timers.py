"""`flask tick`: fire every due timer once, as `system`, even with two ticks running at once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from workflow.engine import records
from workflow.engine.actors import SYSTEM
from workflow.engine.results import Refused
from workflow.engine.transaction import Transaction
from workflow.models import MissedDeadline, Timer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimerOutcome:
    timer_id: int
    application_id: int
    status: str  # fired | failed | cancelled
    detail: str


def due_timer_ids(connection, now, limit: int) -> list[int]:
    return list(
        connection.execute(
            select(Timer.id)
            .where(Timer.status == "pending", Timer.due_at <= now)
            .order_by(Timer.due_at)
            .limit(limit)
        ).scalars()
    )


def tick(workflow, now=None, limit: int = 500) -> list[TimerOutcome]:
    now = now or workflow.clock()
    with workflow.db.connect() as connection:
        ids = due_timer_ids(connection, now, limit)
        connection.rollback()
    outcomes = []
    for timer_id in ids:
        outcome = _fire_timer(workflow, timer_id, now)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _fire_timer(workflow, timer_id: int, now) -> TimerOutcome | None:
    def work(tx: Transaction) -> TimerOutcome | None:
        connection = tx.connection
        claimed = connection.execute(
            update(Timer)
            .where(Timer.id == timer_id, Timer.status == "pending")
            .values(status="fired", fired_at=now)
        )
        if claimed.rowcount != 1:
            return None  # another tick took it
        timer = connection.execute(select(Timer).where(Timer.id == timer_id)).mappings().one()
        application = records.read_application(connection, timer["application_id"])
        assert application is not None  # timers belong to an application (foreign key)
        status, detail = "fired", ""
        if application.state != timer["state"]:
            status, detail = "cancelled", "state already left"
        elif "fire" in timer["action"]:
            savepoint, written = connection.begin_nested(), len(tx.outbox_ids)
            try:
                move = tx.fire(application.id, timer["action"]["fire"], SYSTEM)
                savepoint.commit()
                detail = f"{move.previous_state} -> {move.state}"
            except Refused as refused:
                savepoint.rollback()
                del tx.outbox_ids[written:]
                status, detail = "failed", refused.message.en
        elif "notice" in timer["action"]:
            program = tx.program_of(application)
            event = {
                "seq": application.history_seq,
                "trigger": timer["kind"],
                "from_state": timer["state"],
                "to_state": timer["state"],
                "reason": None,
                "at": now,
            }
            tx.notices(program, application.id, event, [timer["action"]["notice"]])
            detail = f"notice {timer['action']['notice']}"
        connection.execute(update(Timer).where(Timer.id == timer_id).values(status=status, result=detail))
        if timer["kind"] == "deadline" and status != "cancelled":
            for watcher in workflow.deadline_watchers:
                watcher(tx, tx.program_of(application), application, timer, status)
        if status == "fired" and timer["kind"] == "deadline":
            connection.execute(
                insert(MissedDeadline),
                {"timer_id": timer_id, "program_key": application.program_key, "due_at": timer["due_at"]},
            )
        return TimerOutcome(timer_id, timer["application_id"], status, detail)

    outcomes: list[TimerOutcome | None] = []
    result = workflow.transaction(lambda tx: outcomes.append(work(tx)), now=now)
    if not result.ok:  # busy: the timer is still pending and the next tick takes it
        log.warning("timer %s not fired: %s", timer_id, result.refusal.en if result.refusal else "")
        return None
    return outcomes[0]
