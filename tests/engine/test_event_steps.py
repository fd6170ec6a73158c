"""Automatic steps on named events (tests/fixtures/capabilities/event-steps.yaml): a step with
`on_event:` is taken when its event happens, not whenever its condition holds; a revert that a
condition-based automatic step would undo at once is refused with the reason."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from tests.conftest import make_workflow
from tests.engine.capabilities import capability_workflow, staff
from tests.engine.test_transaction import RULES as ENGINE_RULES
from workflow.models import Application, HistoryEvent
from workflow.services import reviews


def _setup(db_engine, clock, people, tmp_path):
    workflow = capability_workflow(db_engine, clock, tmp_path, "event-steps", "event-report")
    officer = staff(db_engine, "officer", "event-steps", "events-officer")
    app_id = workflow.create("event-steps", people.applicant, {"title": "양자 센서"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    return workflow, officer, app_id


def _scored(workflow, officer, people, app_id, score=8):
    for reviewer in people.reviewers[:2]:
        assigned = reviews.assign(workflow, app_id, reviewer.id, officer)
        assert assigned.ok, assigned.reason("en")
    assert assigned.automatic == ["panel_formed"] and assigned.state == "panel"
    for reviewer in people.reviewers[:2]:
        assert reviews.declare(workflow, app_id, reviewer, "none").ok
    results = [reviews.submit(workflow, app_id, r, {"merit": score}) for r in people.reviewers[:2]]
    assert results[0].automatic == [] and results[1].automatic == ["scores_in"]
    return results[-1]


def test_assigning_the_reviewers_takes_the_step_waiting_for_it(db_engine, clock, people, tmp_path):
    workflow, officer, app_id = _setup(db_engine, clock, people, tmp_path)
    first = reviews.assign(workflow, app_id, people.reviewer1.id, officer)
    assert first.ok and first.automatic == [] and first.state == "screening"  # its guard: two assigned
    second = reviews.assign(workflow, app_id, people.reviewer2.id, officer)
    assert second.automatic == ["panel_formed"] and second.state == "panel"
    with db_engine.connect() as connection:
        last = connection.execute(
            select(HistoryEvent.trigger, HistoryEvent.actor_name)
            .where(HistoryEvent.application_id == app_id)
            .order_by(HistoryEvent.seq.desc())
            .limit(1)
        ).one()
    assert last.trigger == "panel_formed"


def test_a_revert_before_a_step_on_an_event_stays_until_the_event(db_engine, clock, people, tmp_path):
    workflow, officer, app_id = _setup(db_engine, clock, people, tmp_path)
    _scored(workflow, officer, people, app_id)
    # every review is still in, but `scores_in` waits for a review to be submitted: the revert holds
    reverted = workflow.fire(app_id, "rescore", officer, reason="점수 재검토")
    assert reverted.ok and reverted.state == "panel" and reverted.automatic == []
    with db_engine.connect() as connection:
        state = connection.execute(select(Application.state).where(Application.id == app_id)).scalar_one()
    assert state == "panel"


def test_a_child_reaching_a_state_moves_its_parent(db_engine, clock, people, tmp_path):
    workflow, officer, app_id = _setup(db_engine, clock, people, tmp_path)
    report_officer = staff(db_engine, "officer", "event-report", "report-officer")
    _scored(workflow, officer, people, app_id)
    assert workflow.fire(app_id, "fund", officer).ok
    with db_engine.connect() as connection:
        child = connection.execute(
            select(Application.id).where(Application.program_key == "event-report")
        ).scalar_one()
    submitted = workflow.fire(child, "submit_report", people.applicant)
    assert submitted.ok  # the parent heard of 'submitted', and its guard wants 'accepted'
    with db_engine.connect() as connection:
        assert workflow.load(connection, app_id)[0].state == "in_progress"
    assert workflow.fire(child, "accept_report", report_officer).ok
    with db_engine.connect() as connection:
        parent = workflow.load(connection, app_id)[0]
        last = connection.execute(
            select(HistoryEvent.trigger, HistoryEvent.actor_roles)
            .where(HistoryEvent.application_id == app_id)
            .order_by(HistoryEvent.seq.desc())
            .limit(1)
        ).one()
    assert parent.state == "closed" and last.trigger == "report_accepted" and last.actor_roles == ["system"]


def test_a_revert_an_automatic_step_would_undo_is_refused_with_the_reason(db_engine, clock, people, tmp_path):
    """panel.yaml's `reviews_in` runs on its condition: reopening the review while every review is in
    would be undone at once. Before, fire returned ok and the state silently stayed."""
    rules = tmp_path / "rules"
    shutil.copytree(ENGINE_RULES, rules)
    text = (rules / "panel.yaml").read_text(encoding="utf-8")
    text += "  - {trigger: reopen, from: decided, to: in_review, roles: [officer], label: {ko: 재심사, en: Reopen}}\n"
    (rules / "panel.yaml").write_text(text, encoding="utf-8")
    workflow = make_workflow(db_engine, clock, rules)
    officer = staff(db_engine, "officer", "panel", "panel-reopen-officer")
    app_id = workflow.create("panel", people.applicant, {"title": "12345"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    assert reviews.assign(workflow, app_id, people.reviewer1.id, officer).ok
    assert reviews.declare(workflow, app_id, people.reviewer1, "none").ok
    assert reviews.submit(workflow, app_id, people.reviewer1, {"merit": 7}).state == "decided"
    with db_engine.connect() as connection:
        seq = workflow.load(connection, app_id)[0].history_seq

    refused = workflow.fire(app_id, "reopen", officer)
    assert not refused.ok and refused.refusal.code == "undone_by_automatic"
    assert "재심사" in refused.reason("ko") and "되돌아가게" in refused.reason("ko")
    assert "straight back" in refused.reason("en") and "Reopen" in refused.reason("en")
    with db_engine.connect() as connection:
        row = workflow.load(connection, app_id)[0]
    assert row.state == "decided" and row.history_seq == seq  # nothing written
