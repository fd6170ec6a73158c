"""`review.reviewers_per_application` and the review states are enforced when reviewers are assigned."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.engine.programs import GRANT
from tests.factories import submitted_startup
from workflow.models import ReviewAssignment
from workflow.services import reviews


def _assigned(workflow, app_id) -> int:
    with workflow.db.connect() as connection:
        return connection.execute(
            select(func.count()).where(ReviewAssignment.application_id == app_id)
        ).scalar_one()


def test_a_fourth_reviewer_is_refused_when_the_program_asks_for_three(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    assert workflow.fire(app_id, "pass_screening", people.officer).ok
    for reviewer in people.reviewers[:3]:
        assert reviews.assign(workflow, app_id, reviewer.id, people.officer).ok
    fourth = reviews.assign(workflow, app_id, people.reviewer4.id, people.officer)
    assert not fourth.ok and fourth.refusal.code == "reviewers_full"
    assert "3" in fourth.reason("ko") and "3 reviewers" in fourth.reason("en")
    assert _assigned(workflow, app_id) == 3
    again = reviews.assign(workflow, app_id, people.reviewer1.id, people.officer)
    assert again.ok and _assigned(workflow, app_id) == 3  # assigning the same reviewer twice is a no-op


def test_a_declared_conflict_frees_its_seat(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    assert workflow.fire(app_id, "pass_screening", people.officer).ok
    for reviewer in people.reviewers[:3]:
        assert reviews.assign(workflow, app_id, reviewer.id, people.officer).ok
    assert reviews.declare(workflow, app_id, people.reviewer2, "recusal", "공동 연구").ok
    assert reviews.assign(workflow, app_id, people.reviewer4.id, people.officer).ok
    refused = reviews.assign(workflow, app_id, people.reviewer5.id, people.officer)
    assert refused.refusal.code == "reviewers_full"


def test_reviewers_are_assigned_only_in_a_review_state(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)  # in screening: not a review state
    result = reviews.assign(workflow, app_id, people.reviewer1.id, people.officer)
    assert not result.ok and result.refusal.code == "not_assignment_state"
    assert "서류" in result.reason("ko") or "screening" in result.reason("en").lower()
    assert result.reason("ko") != result.reason("en")
    assert _assigned(workflow, app_id) == 0


def test_review_assign_in_allows_more_states(db_engine, clock, people, tmp_path):
    from tests.conftest import FIXTURES, TEMPLATES_DIR, make_workflow
    from workflow.definitions.loader import load_file
    from workflow.definitions.registry import NoticeTemplates

    text = (FIXTURES / "registries" / "research-fund.yaml").read_text(encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "research-fund.yaml").write_text(
        text.replace("reviewers_per_application: 2", "reviewers_per_application: 2\n  assign_in: [draft]"),
        encoding="utf-8",
    )
    research = make_workflow(db_engine, clock, rules)
    app_id = research.create("research-fund", people.applicant, {}).application_id
    assert reviews.assign(research, app_id, people.reviewer1.id, people.admin).ok
    (tmp_path / "broken.yaml").write_text(
        text.replace("reviewers_per_application: 2", "reviewers_per_application: 2\n  assign_in: [drafts]"),
        encoding="utf-8",
    )
    problems = load_file(tmp_path / "broken.yaml", NoticeTemplates(TEMPLATES_DIR)).problems
    assert "unknown state 'drafts'" in [p.message for p in problems]
