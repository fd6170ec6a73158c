"""A move's rows written at once (engine/batch.py) and prepared statements (engine/prepared.py): the same
rows as the ordinary way, and nothing at all when the claim finds the row changed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, insert, select, text

from tests.conftest import People, make_workflow
from workflow.engine import prepared, records
from workflow.models import FunnelMark, HistoryEvent, OutboxMessage, StateStay, Timer

COUNTED = Path(__file__).parent / "counted"
WRITTEN = (HistoryEvent, StateStay, FunnelMark, Timer, OutboxMessage)
INSERT_TIMER = insert(Timer.__table__)
INSERT_OUTBOX = insert(OutboxMessage.__table__)


def _plain(db_engine, clock):
    workflow = make_workflow(db_engine, clock, COUNTED)
    people = People(db_engine, COUNTED)
    created = workflow.create("plain", people.applicant, {"title": "A plain request", "amount": 5000})
    assert created.ok, created.reason("en")
    return workflow, people, created


def _counts(db_engine) -> dict[str, int]:
    with db_engine.connect() as connection:
        return {
            model.__tablename__: connection.execute(select(func.count()).select_from(model)).scalar_one()
            for model in WRITTEN
        }


def test_a_lost_claim_writes_none_of_the_moves_rows(db_engine, clock):
    workflow, people, created = _plain(db_engine, clock)
    stale = created.application
    assert workflow.fire(created.application_id, "submit", people.applicant).ok  # another writer first
    before = _counts(db_engine)
    with db_engine.begin() as connection:
        program = workflow.program_of(connection, stale)
        written = records.write_move(  # the move a stale page would make: event, stay, mark, timers, notice
            connection,
            application=stale,
            program=program,
            to_state="screening",
            trigger="submit",
            actor=people.applicant,
            actor_roles={"applicant"},
            reason=None,
            data=stale.data,
            now=clock.now,
            notices=["received"],
        )
    assert written is None
    assert _counts(db_engine) == before


def test_the_moves_rows_and_their_notice_ids(db_engine, clock):
    workflow, people, created = _plain(db_engine, clock)
    before = _counts(db_engine)
    submitted = workflow.fire(created.application, "submit", people.applicant)
    assert submitted.ok, submitted.reason("en")
    after = _counts(db_engine)
    assert {name: after[name] - before[name] for name in after} == {
        "history_events": 1,
        "state_stays": 1,
        "funnel_marks": 1,
        "timers": 2,  # screening's deadline and its reminder
        "outbox": 1,
    }
    with db_engine.connect() as connection:
        notice = connection.execute(
            select(OutboxMessage).where(OutboxMessage.id.in_(submitted.outbox_ids))
        ).one()
        timers = connection.execute(select(Timer.kind, Timer.action).order_by(Timer.id)).all()
    assert (notice.notice, notice.event_seq, notice.payload["to"]) == ("received", 2, "screening")
    assert notice.created_at == clock.now
    assert [tuple(timer) for timer in timers] == [
        ("deadline", {"notice": "overdue"}),
        ("reminder", {"notice": "overdue"}),
    ]


def _stored(connection, model, row_id: int) -> dict:
    """Each column of the row as the database keeps it (text), not as SQLAlchemy reads it back."""
    table = model.__table__
    columns = [c.name for c in table.columns if c.name != "id"]
    listed = ", ".join(f'CAST("{name}" AS TEXT) AS "{name}"' for name in columns)
    found = connection.execute(text(f"SELECT {listed} FROM {table.name} WHERE id = :id"), {"id": row_id})
    return dict(found.mappings().one())


def test_a_prepared_statement_stores_what_sqlalchemy_stores(db_engine, clock):
    _workflow, _people, created = _plain(db_engine, clock)
    moment = clock.now.astimezone(records.SEOUL)  # any time zone: stored as UTC
    timer = {
        "application_id": created.application_id,
        "state": "screening",
        "kind": "deadline",
        "action": {"notice": "overdue", "nested": [1, None, "한글"]},
        "due_at": moment,
        "status": "pending",
        "created_at": moment,
        "fired_at": None,
        "result": None,
    }
    notice = {
        "application_id": created.application_id,
        "event_seq": 1,
        "notice": "received",
        "template": "received",
        "recipients": ["applicant"],
        "channels": ["email"],
        "payload": {"trigger": "submit", "reason": None, "statutory": False},
        "status": "pending",
        "attempts": 0,
        "created_at": moment,
    }
    with db_engine.begin() as connection:
        for statement, model, row in ((INSERT_TIMER, Timer, timer), (INSERT_OUTBOX, OutboxMessage, notice)):
            ordinary = connection.execute(statement, row).inserted_primary_key[0]
            fast = prepared.run(connection, statement, row)
            fast_id = fast.lastrowid if db_engine.dialect.name == "sqlite" else None
            if fast_id is None:
                fast_id = connection.execute(select(func.max(model.id))).scalar_one()
            assert _stored(connection, model, fast_id) == _stored(connection, model, ordinary)


def test_a_statement_with_a_value_computed_per_call_runs_the_ordinary_way(db_engine, clock):
    _workflow, _people, created = _plain(db_engine, clock)
    row = {  # no status, created_at or payload: the model's Python-side defaults fill them
        "application_id": created.application_id,
        "event_seq": 1,
        "notice": "received",
        "template": "received",
        "recipients": ["applicant"],
        "channels": ["email"],
        "attempts": 0,
    }
    assert prepared.prepare(db_engine.dialect, INSERT_OUTBOX, tuple(row)) is None
    with db_engine.begin() as connection:
        prepared.run(connection, INSERT_OUTBOX, row)
        stored = connection.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert stored.status == "pending" and stored.payload == {} and stored.created_at is not None
