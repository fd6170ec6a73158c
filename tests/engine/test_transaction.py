"""`Workflow.transaction(work)`: services' changes and the automatic steps they enable commit together."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, func, select

from tests.conftest import make_workflow
from workflow.engine import Refused, records
from workflow.engine.actors import load_actor
from workflow.models import Application, HistoryEvent, ReviewAssignment
from workflow.services import reviews
from workflow.services.users import create_user
from workflow.vocabulary.messages import Message

RULES = Path(__file__).parent / "rules"


def _panel(db_engine, clock, people, title: str):
    workflow = make_workflow(db_engine, clock, RULES)
    with db_engine.begin() as connection:
        officer_id = create_user(
            connection, "panel-officer@test.kr", "panel officer", roles=[("officer", "panel")]
        )
    with db_engine.connect() as connection:
        officer = load_actor(connection, officer_id)
    app_id = workflow.create("panel", people.applicant, {"title": title}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    assert reviews.assign(workflow, app_id, people.reviewer1.id, officer).ok
    assert reviews.declare(workflow, app_id, people.reviewer1, "none").ok
    return workflow, app_id


def _submitted_reviews(db_engine, app_id) -> int:
    with db_engine.connect() as connection:
        return connection.execute(
            select(func.count())
            .select_from(ReviewAssignment)
            .where(ReviewAssignment.application_id == app_id, ReviewAssignment.submitted_at.is_not(None))
        ).scalar_one()


def test_the_automatic_step_a_review_enables_is_taken_with_it(db_engine, clock, people):
    workflow, app_id = _panel(db_engine, clock, people, "12345")
    result = reviews.submit(workflow, app_id, people.reviewer1, {"merit": 8})
    assert result.ok and result.automatic == ["reviews_in"] and result.state == "decided"
    with db_engine.connect() as connection:
        last = connection.execute(
            select(HistoryEvent.trigger, HistoryEvent.actor_name)
            .where(HistoryEvent.application_id == app_id)
            .order_by(HistoryEvent.seq.desc())
        ).first()
        opened = connection.execute(
            select(Application.data).where(Application.program_key == "panel-followup")
        ).scalar_one()
    assert tuple(last) == ("reviews_in", "system") and opened == {"code": "12345"}


def test_a_refused_automatic_step_refuses_the_review_instead_of_dropping_the_step(db_engine, clock, people):
    workflow, app_id = _panel(db_engine, clock, people, "not digits")
    result = reviews.submit(workflow, app_id, people.reviewer1, {"merit": 8})
    assert not result.ok and result.refusal.code == "invalid_data"
    assert "Code" in result.reason("en")
    assert _submitted_reviews(db_engine, app_id) == 0  # nothing half-done: the scores are not stored
    with db_engine.connect() as connection:
        state = connection.execute(select(Application.state).where(Application.id == app_id)).scalar_one()
    assert state == "in_review"


def test_work_that_refuses_rolls_back_everything_it_wrote(db_engine, clock, people):
    workflow, app_id = _panel(db_engine, clock, people, "12345")

    def work(tx):
        application, program = tx.load(app_id)
        tx.record(application, program, "note", people.admin, {"admin"}, "written, then refused")
        raise Refused(Message("reason_required"))

    result = workflow.transaction(work, app_id)
    assert not result.ok and result.refusal.code == "reason_required" and result.application_id == app_id
    with db_engine.connect() as connection:
        triggers = connection.execute(
            select(HistoryEvent.trigger).where(HistoryEvent.application_id == app_id)
        ).scalars()
        assert "note" not in list(triggers)


def test_a_recorded_event_joins_the_chain_and_hands_on_notices_after_commit(db_engine, clock, people):
    workflow, app_id = _panel(db_engine, clock, people, "12345")
    handed: list[list[int]] = []
    workflow.after_commit.append(handed.append)

    def work(tx):
        application, program = tx.load(app_id)
        return tx.record(application, program, "note", people.admin, {"admin"}, "on the record")

    result = workflow.transaction(work, app_id)
    # create, submit, reviewer assigned, conflict declared, then this one
    assert result.ok and result.state == "in_review" and result.event_seq == 5
    assert handed == []  # a plain event writes no notices


def test_fire_on_the_row_a_result_returned_reads_nothing_again(db_engine, clock, people):
    workflow = make_workflow(db_engine, clock, RULES)
    created = workflow.create("panel", people.applicant, {"title": "12345"})
    statements: list[str] = []
    event.listen(db_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    submitted = workflow.fire(created.application, "submit", people.applicant)
    assert submitted.ok and submitted.state == "in_review" and submitted.application.row_version == 3
    reads = [s for s in statements if s.lstrip().startswith("SELECT") and "FROM applications" in s]
    assert not reads, reads
    with db_engine.connect() as connection:
        assert records.read_application(connection, created.application_id) == submitted.application


def test_a_stale_row_is_refused_and_names_who_changed_it(db_engine, clock, people):
    workflow = make_workflow(db_engine, clock, RULES)
    created = workflow.create("panel", people.applicant, {"title": "12345"})
    assert workflow.fire(created.application_id, "submit", people.applicant).ok
    stale = workflow.fire(created.application, "submit", people.applicant)
    assert not stale.ok and stale.refusal.code == "stale"
    assert "applicant did" in stale.reason("en")
    with db_engine.connect() as connection:
        assert records.read_application(connection, created.application_id).history_seq == 2


def _contention_error(db_engine):
    """What a lock held by another writer raises on this database."""
    if db_engine.dialect.name == "postgresql":
        import psycopg

        return psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")
    import sqlite3

    return sqlite3.OperationalError("database is locked")


def test_a_busy_automatic_step_refuses_the_review_as_busy_and_a_retry_takes_both(db_engine, clock, people):
    """Another writer holding a lock when the automatic step writes its event: the reviewer is told to try
    again and nothing is half-done (today's rule: never a stored review whose automatic step was dropped)."""
    workflow, app_id = _panel(db_engine, clock, people, "12345")

    def locked_when_the_automatic_step_writes(conn, cursor, statement, parameters, context, executemany):
        # the event's INSERT: a statement of its own on SQLite, part of the move's one statement on PostgreSQL
        if "INSERT INTO HISTORY_EVENTS" in statement.upper() and "reviews_in" in str(parameters):
            raise _contention_error(db_engine)

    event.listen(db_engine, "before_cursor_execute", locked_when_the_automatic_step_writes)
    try:
        busy = reviews.submit(workflow, app_id, people.reviewer1, {"merit": 8})
    finally:
        event.remove(db_engine, "before_cursor_execute", locked_when_the_automatic_step_writes)
    assert not busy.ok and busy.refusal.code == "busy"
    assert "again" in busy.reason("en")
    assert _submitted_reviews(db_engine, app_id) == 0
    with db_engine.connect() as connection:
        assert (
            connection.execute(select(Application.state).where(Application.id == app_id)).scalar_one()
            == "in_review"
        )

    retried = reviews.submit(workflow, app_id, people.reviewer1, {"merit": 8})
    assert retried.ok and retried.automatic == ["reviews_in"] and retried.state == "decided"
    assert _submitted_reviews(db_engine, app_id) == 1
