"""Review rounds and reviewer kinds (tests/fixtures/capabilities/review-rounds.yaml): a revision begins a
new round, so a resubmission is reviewed afresh; guards count the current round and each kind."""

from __future__ import annotations

from sqlalchemy import select

from tests.engine.capabilities import capability_workflow, staff
from workflow.audit.verify import verify_chain
from workflow.engine.context import reviews_summary
from workflow.models import HistoryEvent, ReviewAssignment
from workflow.services import reviews


def _reviewed(workflow, app_id, officer, reviewers, kinds, score):
    for reviewer, kind in zip(reviewers, kinds, strict=True):
        assert reviews.assign(workflow, app_id, reviewer.id, officer, kind=kind).ok
        assert reviews.declare(workflow, app_id, reviewer, "none").ok
    results = [reviews.submit(workflow, app_id, r, {"merit": score}) for r in reviewers]
    assert all(r.ok for r in results), [r.reason("en") for r in results]
    return results[-1]


def _state(workflow, app_id) -> str:
    with workflow.db.connect() as connection:
        return workflow.load(connection, app_id)[0].state


def test_a_revision_begins_a_new_round_and_the_old_scores_no_longer_count(db_engine, clock, people, tmp_path):
    workflow = capability_workflow(db_engine, clock, tmp_path, "review-rounds")
    officer = staff(db_engine, "officer", "review-rounds", "rounds-officer")
    app_id = workflow.create("review-rounds", people.applicant, {"title": "양자 센서"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    last = _reviewed(workflow, app_id, officer, people.reviewers[:2], ["internal", "external"], 2)
    assert last.automatic == ["reviews_in"] and last.state == "selection"

    refused = workflow.fire(app_id, "fund", officer)
    assert refused.refusal.code == "guard_failed" and "5" in refused.reason("ko")
    assert workflow.fire(app_id, "ask_revision", officer, reason="예산 보완").ok
    resubmitted = workflow.fire(app_id, "submit", people.applicant)
    # before rounds, the first round's reviews were still all in: the automatic step fired again at once
    assert resubmitted.ok and resubmitted.state == "in_review" and resubmitted.automatic == []
    with db_engine.connect() as connection:
        summary = reviews_summary(connection, app_id, ("internal", "external"))
    assert summary["round"] == 2 and summary["count"] == 0 and not summary["all_submitted"]
    assert summary["by_kind"]["external"]["count"] == 0

    # the same reviewers may sit again in the new round; their new scores alone count
    last = _reviewed(workflow, app_id, officer, people.reviewers[:2], ["internal", "external"], 9)
    assert last.state == "selection"
    again = workflow.fire(app_id, "ask_revision", officer, reason="한 번 더")
    assert again.refusal.code == "guard_failed" and "once" in again.reason("en")
    assert workflow.fire(app_id, "fund", officer).ok

    with db_engine.connect() as connection:
        rows = connection.execute(
            select(ReviewAssignment.round, ReviewAssignment.kind, ReviewAssignment.total)
            .where(ReviewAssignment.application_id == app_id)
            .order_by(ReviewAssignment.round, ReviewAssignment.kind)
        ).all()
        started = connection.execute(
            select(HistoryEvent.trigger, HistoryEvent.detail).where(
                HistoryEvent.application_id == app_id, HistoryEvent.trigger == "ask_revision"
            )
        ).one()
        assert verify_chain(connection, app_id) is None  # rounds and kinds replay from the chain
    assert [tuple(r) for r in rows] == [
        (1, "external", 2),
        (1, "internal", 2),
        (2, "external", 9),
        (2, "internal", 9),
    ]
    assert started.detail == {"kind": "review_round_started", "round": 2}


def test_the_automatic_step_waits_for_the_kind_its_guard_counts(db_engine, clock, people, tmp_path):
    workflow = capability_workflow(db_engine, clock, tmp_path, "review-rounds")
    officer = staff(db_engine, "officer", "review-rounds", "kinds-officer")
    app_id = workflow.create("review-rounds", people.applicant, {"title": "센서"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    last = _reviewed(workflow, app_id, officer, people.reviewers[:2], ["internal", "internal"], 8)
    assert last.automatic == [] and _state(workflow, app_id) == "in_review"
    with db_engine.connect() as connection:
        summary = reviews_summary(connection, app_id, ("internal", "external"))
    assert summary["by_kind"]["internal"]["count"] == 2 and summary["by_kind"]["external"]["count"] == 0


def test_an_unknown_reviewer_kind_is_refused_in_both_languages(db_engine, clock, people, tmp_path):
    workflow = capability_workflow(db_engine, clock, tmp_path, "review-rounds")
    officer = staff(db_engine, "officer", "review-rounds", "kind-officer")
    app_id = workflow.create("review-rounds", people.applicant, {"title": "센서"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    refused = reviews.assign(workflow, app_id, people.reviewer1.id, officer, kind="ministry")
    assert refused.refusal.code == "unknown_reviewer_kind"
    assert "ministry" in refused.reason("ko") and "not a reviewer kind" in refused.reason("en")
    first = reviews.assign(workflow, app_id, people.reviewer1.id, officer)  # no kind: the first declared
    assert first.ok
    with db_engine.connect() as connection:
        kind = connection.execute(
            select(ReviewAssignment.kind).where(ReviewAssignment.application_id == app_id)
        ).scalar_one()
    assert kind == "internal"


def test_a_round_row_changed_outside_the_engine_is_found_by_audit_verify(db_engine, clock, people, tmp_path):
    """Which scores count depends on the round rows: they must match the history's round events."""
    from sqlalchemy import delete

    from workflow.models import ReviewRound

    workflow = capability_workflow(db_engine, clock, tmp_path, "review-rounds")
    officer = staff(db_engine, "officer", "review-rounds", "verify-officer")
    app_id = workflow.create("review-rounds", people.applicant, {"title": "센서"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    _reviewed(workflow, app_id, officer, people.reviewers[:2], ["internal", "external"], 9)
    assert workflow.fire(app_id, "ask_revision", officer, reason="보완").ok
    with db_engine.connect() as connection:
        assert verify_chain(connection, app_id) is None
    with db_engine.begin() as connection:  # someone drops round 2, so round 1's scores would count again
        connection.execute(delete(ReviewRound).where(ReviewRound.application_id == app_id))
    with db_engine.connect() as connection:
        fault = verify_chain(connection, app_id)
    assert fault is not None and fault.code == "rounds_changed"
    assert "차수" in fault.text("ko") and "review rounds" in fault.text("en")
