"""The rows one move writes: the application row (version-checked), the history event, timers, outbox.

Written with Core statements: this is fire()'s hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select, update

from workflow.engine import batch, prepared
from workflow.engine.batch import Changes, Part, Rows
from workflow.engine.history import data_diff, data_hash, event_hash
from workflow.engine.search_text import APPLICANT_BY_ID, data_text, search_value
from workflow.engine.sort_keys import APPLICANT_NAME_BY_ID, deadline_due, key_values
from workflow.models import Application, HistoryEvent, OutboxMessage, Timer
from workflow.performance.recording import stay_rows
from workflow.vocabulary.messages import Message

SEOUL = ZoneInfo("Asia/Seoul")
APPLICATION_COLUMNS = (
    Application.id,
    Application.program_key,
    Application.program_version,
    Application.definition_sha,
    Application.state,
    Application.data,
    Application.event_data,
    Application.row_version,
    Application.applicant_id,
    Application.history_seq,
    Application.history_head,
    Application.state_entered_at,
    Application.created_at,
)


# Statements built once with bind parameters: building them per call costs more than the database work.
APPLICATIONS, EVENTS, OUTBOX, TIMERS = (
    cast(Table, m.__table__) for m in (Application, HistoryEvent, OutboxMessage, Timer)
)
READ_APPLICATION = select(*APPLICATION_COLUMNS).where(Application.id == bindparam("application_id"))
READ_APPLICATION_FOR_UPDATE = READ_APPLICATION.with_for_update()
MOVE_COLUMNS = (
    "state",
    "data",
    "event_data",
    "row_version",
    "history_seq",
    "history_head",
    "updated_at",
    "updated_by",
    "program_key",
    "program_version",
    "definition_sha",
    "state_entered_at",
)
CLAIM = update(APPLICATIONS).where(
    APPLICATIONS.c.id == bindparam("b_id"), APPLICATIONS.c.row_version == bindparam("b_row_version")
)


def _claim(data: bool, deadline: bool):
    """The version-checked UPDATE of a move: with the data (and the columns that follow it) when it
    changed, with the open deadline when the state was entered anew. The new values are bound as
    `new_<column>`: a name that is no column's, so the statement composes with the rows written with it
    (engine/batch.py) without a value taken for another table's column."""
    names = [name for name in MOVE_COLUMNS if data or "data" not in name]
    if data:
        names += ["key_title", "key_amount"]
    if deadline:
        names.append("open_deadline")
    values: dict[str, Any] = {name: bindparam(f"new_{name}") for name in names}
    if data:
        values["search_text"] = search_value()
    return CLAIM.values(values)


# most officer steps change no data: then the two JSON columns need not be rewritten
CLAIMS = {(data, deadline): _claim(data, deadline) for data in (False, True) for deadline in (False, True)}
INSERT_APPLICATION = (
    insert(APPLICATIONS)
    .values(search_text=APPLICANT_BY_ID, applicant_name=APPLICANT_NAME_BY_ID)
    .returning(APPLICATIONS.c.id)
)
INSERT_OUTBOX = insert(OUTBOX)
PENDING = TIMERS.c.status == "pending"  # the timers a move out of their state cancels


def insert_application(connection, program, applicant_id: int, now: datetime) -> int:
    """A new row in the program's initial state with an empty history; write_move records its creation."""
    return prepared.run(
        connection,
        INSERT_APPLICATION,
        {
            "program_key": program.key,
            "program_version": program.version,
            "definition_sha": program.sha256,
            "state": program.initial,
            "data": {},
            "event_data": {},
            "row_version": 1,
            "applicant_id": applicant_id,
            "b_applicant": applicant_id,
            "history_seq": 0,
            "history_head": "",
            "created_at": now,
            "updated_at": now,
            "state_entered_at": now,
        },
    ).scalar_one()


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """An application as the engine reads it: the row's state, data and version, typed."""

    id: int
    program_key: str
    program_version: str
    definition_sha: str
    state: str  # "" only for a row being created
    data: dict[str, Any]
    event_data: dict[str, Any]  # the data the last history event recorded (its diff is against this)
    row_version: int
    applicant_id: int | None
    history_seq: int
    history_head: str
    state_entered_at: datetime | None
    created_at: datetime | None = None
    # the hash of `data` when the move that produced this row computed it (the next move that keeps the
    # data need not compute it again); None when unknown, e.g. a row read from the database
    data_hash: str | None = field(default=None, compare=False)

    def moved(self, **changes: Any) -> ApplicationRow:
        if "data" in changes and "data_hash" not in changes:
            changes["data_hash"] = None
        return replace(self, **changes)


def read_application(connection, application_id: int, for_update: bool = False) -> ApplicationRow | None:
    statement = READ_APPLICATION_FOR_UPDATE if for_update else READ_APPLICATION
    row = connection.execute(statement, {"application_id": application_id}).first()
    if row is None:
        return None
    return ApplicationRow(
        row.id,
        row.program_key,
        row.program_version,
        row.definition_sha,
        row.state,
        row.data or {},
        row.event_data or {},
        row.row_version,
        row.applicant_id,
        row.history_seq,
        row.history_head,
        row.state_entered_at,
        row.created_at,
    )


def last_change(connection, application_id: int) -> dict:
    """Who changed the application last and when (for 'already approved by X at T')."""
    row = connection.execute(
        select(HistoryEvent.actor_name, HistoryEvent.at, HistoryEvent.trigger)
        .where(HistoryEvent.application_id == application_id)
        .order_by(HistoryEvent.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return {"by": "-", "at": "-", "last": "-"}
    return {"by": row.actor_name, "at": seoul_text(row.at), "last": row.trigger}


def seoul_text(moment: datetime) -> str:
    return moment.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M KST")


def write_move(
    connection,
    *,
    application: ApplicationRow,
    program,
    to_state: str,
    trigger: str,
    actor,
    actor_roles,
    reason: str | None,
    data: dict,
    now: datetime,
    detail: dict | None = None,
    left=None,
    notices: Sequence[str] = (),
) -> tuple[dict, list[int]] | None:
    """Claim the row by its version and write what the move writes with it (engine/batch.py): one event,
    the stay in the state left, the timers of the state left cancelled and those of the state entered
    started, the outbox rows of `notices`. Returns the event and the outbox ids; None if someone else
    changed the row first (then nothing was written).

    The application ends up pinned to `program` (the same definition, or the new one of a migration, whose
    state's timers restart under the new rules; `left` is the definition it was under before).
    The event records the row version it leaves behind, so `audit verify` can tell a row changed outside it;
    `detail` carries what a state-keeping event recorded (a review assignment, a declaration, scores)."""
    program_key, program_version, definition_sha = program.key, program.version, program.sha256
    seq = application.history_seq + 1
    # the same data under the same definition: the columns read from it through the rule file stand
    unchanged = (
        data == application.data
        and data == application.event_data
        and definition_sha == application.definition_sha
    )
    # a state entered anew (or under a new definition): its timers restart, its deadline is kept on the row
    entered = to_state != application.state or left is not None
    due = deadline_due(program, to_state, data, now) if entered else None
    event = {
        "application_id": application.id,
        "seq": seq,
        "program_key": program_key,
        "program_version": program_version,
        "definition_sha": definition_sha,
        "from_state": application.state or None,
        "to_state": to_state,
        "trigger": trigger,
        "actor_id": actor.id,
        "actor_name": actor.name,
        "actor_roles": sorted(actor_roles),
        "reason": reason,
        "diff": data_diff(application.event_data or {}, data),
        "data_hash": application.data_hash if unchanged and application.data_hash else data_hash(data),
        "at": now,
        "prev_hash": application.history_head,
        "row_version": application.row_version + 1,
        "detail": detail,
    }
    event["hash"] = event_hash(event)
    values = {
        "b_id": application.id,
        "b_row_version": application.row_version,
        "new_state": to_state,
        "new_data": data,
        "new_event_data": data,
        "new_row_version": application.row_version + 1,
        "new_history_seq": seq,
        "new_history_head": event["hash"],
        "new_updated_at": now,
        "new_updated_by": actor.id,
        "new_program_key": program_key,
        "new_program_version": program_version,
        "new_definition_sha": definition_sha,
        "new_state_entered_at": now if to_state != application.state else application.state_entered_at,
    }
    if unchanged:
        del values["new_data"], values["new_event_data"]
    else:
        values["search_data"] = data_text(program, data)
        values.update({f"new_{name}": value for name, value in key_values(program, data).items()})
    if entered:
        values["new_open_deadline"] = due
    parts: list[Part] = [Rows(EVENTS, [event])]
    if application.state and to_state != application.state:
        parts += stay_rows(connection, program, application, to_state, trigger, now)
    if entered:
        before = left or program
        if application.state and before.spec.states[application.state].deadline is not None:
            parts.append(
                Changes(
                    TIMERS,
                    {"application_id": application.id},
                    {"status": "cancelled", "fired_at": now, "result": "left the state"},
                    PENDING,
                )
            )
        timers = timer_rows(program, application.id, to_state, due, now)
        if timers:
            parts.append(Rows(TIMERS, timers))
    if notices:
        parts.append(Rows(OUTBOX, notice_rows(program, application.id, event, notices), returning_id=True))
    outbox_ids = batch.write(connection, CLAIMS[(not unchanged, entered)], values, parts)
    if outbox_ids is None:
        return None
    return event, outbox_ids


def is_open(period, now: datetime) -> bool:
    """Applications are accepted from the first day 00:00 to the last day 18:00, Seoul time."""
    if period is None:
        return True
    start = datetime.combine(period.start, time(0, 0), SEOUL)
    end = datetime.combine(period.until, time(18, 0), SEOUL)
    return start <= now <= end


def timer_rows(program, application_id: int, state: str, due: datetime | None, now: datetime) -> list[dict]:
    """The deadline (due at `due`, from `sort_keys.deadline_due`) and reminders of the state entered."""
    deadline = program.spec.states[state].deadline
    if deadline is None or due is None:
        return []
    rows = [
        {
            "application_id": application_id,
            "state": state,
            "kind": "deadline",
            "due_at": due,
            "status": "pending",
            "action": _expiry_action(program, state),
            "created_at": now,
        }
    ]
    rows += [
        {
            "application_id": application_id,
            "state": state,
            "kind": "reminder",
            "due_at": due - timedelta(days=reminder.days_before),
            "status": "pending",
            "action": {"notice": reminder.notice},
            "created_at": now,
        }
        for reminder in deadline.reminders
    ]
    return rows


def _expiry_action(program, state: str) -> dict:
    """What a deadline timer of `state` does when it falls, as stored (worked out once per program)."""
    key = ("expiry_action", state)
    action = program.derived.get(key)
    if action is None:
        deadline = program.spec.states[state].deadline
        action = program.derived[key] = deadline.on_expiry.model_dump(exclude_none=True)
    return action


def notice_rows(program, application_id: int, event: dict, notices: Sequence[str]) -> list[dict]:
    """The outbox rows of `notices` for the event (delivered after the commit)."""
    rows = []
    for name in notices:
        notice = program.spec.notices[name]
        rows.append(
            {
                "application_id": application_id,
                "event_seq": event["seq"],
                "notice": name,
                "template": notice.template,
                "recipients": list(notice.to),
                "channels": list(notice.channels),
                "payload": {
                    "trigger": event["trigger"],
                    "from": event["from_state"],
                    "to": event["to_state"],
                    "reason": event["reason"],
                    "statutory": notice.statutory,
                    **({"staff_template": notice.staff_template} if notice.staff_template else {}),
                },
                "status": "pending",
                "attempts": 0,
                "created_at": event["at"],
            }
        )
    return rows


def write_notices(connection, program, application_id: int, event: dict, notices: Sequence[str]) -> list[int]:
    """Outbox rows for an event already written (e.g. a timer's notice)."""
    rows = notice_rows(program, application_id, event, notices)
    return [connection.execute(INSERT_OUTBOX, row).inserted_primary_key[0] for row in rows]


def refusal_for_conflict(connection, program, application_id: int, code: str = "stale", **params) -> Message:
    """'Already done by X at T': the last change, named by its button label in the reader's language."""
    change = last_change(connection, application_id)
    change["last"] = program.trigger_label(change["last"])
    return Message(code, {**params, **change})
