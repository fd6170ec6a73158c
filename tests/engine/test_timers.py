"""Deadlines fire once, as `system`, however many ticks run; leaving a state cancels its timers."""

from __future__ import annotations

import threading

from sqlalchemy import select

from tests.engine.programs import GRANT, PERMIT
from tests.factories import submitted_startup
from workflow.engine.timers import tick
from workflow.models import Application, HistoryEvent, MissedDeadline, OutboxMessage, Timer

RAPID = {
    "company_name": "MedBridge Korea",
    "business_no": "220-81-12345",
    "contact_email": "sam@medbridge.example",
    "service": "Remote monitoring of heart-failure patients with a wearable ECG patch.",
    "regulation": "Medical Service Act art. 34",
    "track": "rapid_confirmation",
    "requested_years": 2,
}


def rapid_confirmation(workflow, people) -> int:
    created = workflow.create(PERMIT, people.applicant, RAPID)
    assert workflow.fire(created.application_id, "submit", people.applicant).ok
    assert workflow.fire(created.application_id, "route", people.officer).ok
    return created.application_id


def state(workflow, app_id) -> str:
    with workflow.db.connect() as connection:
        return connection.execute(select(Application.state).where(Application.id == app_id)).scalar_one()


def test_ministry_silence_for_30_days_is_deemed_no_permit_needed(workflow, people, clock):
    app_id = rapid_confirmation(workflow, people)
    clock.advance(days=29)
    assert tick(workflow) == [] and state(workflow, app_id) == "rapid_confirmation"
    clock.advance(days=1, hours=16)  # day 30, 23:59 Seoul has passed
    outcomes = tick(workflow)
    assert [(o.application_id, o.status) for o in outcomes] == [(app_id, "fired")]
    assert state(workflow, app_id) == "no_permit_needed"
    with workflow.db.connect() as connection:
        last = connection.execute(select(HistoryEvent).order_by(HistoryEvent.id.desc())).mappings().first()
        notices = connection.execute(
            select(OutboxMessage.notice).where(OutboxMessage.application_id == app_id)
        ).scalars()
        assert "decision" in list(notices)
    assert (last["trigger"], last["actor_name"], last["actor_roles"]) == (
        "deemed_no_permit_needed",
        "system",
        ["system"],
    )


def test_running_tick_twice_fires_once(workflow, people, clock):
    app_id = rapid_confirmation(workflow, people)
    clock.advance(days=31)
    assert len(tick(workflow)) == 1
    assert tick(workflow) == []
    with workflow.db.connect() as connection:
        triggers = connection.execute(
            select(HistoryEvent.trigger).where(HistoryEvent.application_id == app_id)
        ).scalars()
        assert list(triggers).count("deemed_no_permit_needed") == 1


def test_two_ticks_at_once_fire_once(workflow, people, clock):
    app_ids = [rapid_confirmation(workflow, people) for _ in range(5)]
    clock.advance(days=31)
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        barrier.wait()
        outcomes.extend(tick(workflow))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.application_id for o in outcomes if o.status == "fired") == sorted(app_ids)
    with workflow.db.connect() as connection:
        fired = connection.execute(
            select(HistoryEvent).where(HistoryEvent.trigger == "deemed_no_permit_needed")
        ).all()
    assert len(fired) == 5


def test_a_fired_deadline_is_summarised_as_missed_and_a_cancelled_one_is_not(workflow, people, clock):
    """The dashboard counts missed deadlines from missed_deadlines, written by the tick that fires them."""
    missed_id, answered_id = rapid_confirmation(workflow, people), rapid_confirmation(workflow, people)
    clock.advance(days=10)
    assert workflow.fire(answered_id, "ministry_no_permit_needed", people.officer).ok
    clock.advance(days=21)
    assert [o.application_id for o in tick(workflow)] == [missed_id]
    with workflow.db.connect() as connection:
        timer = connection.execute(
            select(Timer.id, Timer.due_at).where(Timer.application_id == missed_id, Timer.status == "fired")
        ).one()
        summary = connection.execute(select(MissedDeadline.__table__)).all()
    assert [tuple(row) for row in summary] == [(timer.id, PERMIT, timer.due_at)]


def test_an_answer_in_time_cancels_the_deadline(workflow, people, clock):
    app_id = rapid_confirmation(workflow, people)
    clock.advance(days=10)
    assert workflow.fire(app_id, "ministry_no_permit_needed", people.officer).ok
    clock.advance(days=30)
    assert tick(workflow) == []
    with workflow.db.connect() as connection:
        statuses = connection.execute(
            select(Timer.state, Timer.status).where(Timer.application_id == app_id)
        ).all()
    assert ("rapid_confirmation", "cancelled") in statuses


def test_reminder_then_lapse_of_a_change_request(workflow, people, clock, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    assert workflow.fire(app_id, "request_changes", people.officer, reason="서류 보완").ok
    clock.advance(days=7, hours=9)  # 3 days before the 10-day deadline
    reminded = tick(workflow)
    assert [o.detail for o in reminded] == ["notice changes_reminder"]
    clock.advance(days=3)
    lapsed = tick(workflow)
    assert [o.status for o in lapsed] == ["fired"] and state(workflow, app_id) == "withdrawn"
    with workflow.db.connect() as connection:
        notices = list(
            connection.execute(
                select(OutboxMessage.notice)
                .where(OutboxMessage.application_id == app_id)
                .order_by(OutboxMessage.id)
            ).scalars()
        )
    assert notices == ["received", "changes", "changes_reminder", "lapsed"]


def test_staff_notice_when_screening_runs_late(workflow, people, clock, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    clock.advance(days=15)
    assert [o.detail for o in tick(workflow)] == ["notice screening_overdue"]
    assert state(workflow, app_id) == "screening"
