"""Co-applicants: linked by the owner, recorded in the history, then act under the co_applicant role."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import FIXTURES, make_workflow, rules_folder
from tests.engine.programs import ENGINE_PROGRAMS, GRANT
from workflow.engine.members import add_member
from workflow.models import HistoryEvent


def test_co_applicant_edits_and_submits_after_being_added(db_engine, clock, people, tmp_path):
    rules = rules_folder(tmp_path, FIXTURES / "valid" / "joint.yaml")
    workflow = make_workflow(db_engine, clock, rules)
    app_id = workflow.create(
        "joint-research", people.applicant, {"title": "원격 재활 공동연구"}
    ).application_id

    assert workflow.save_draft(app_id, people.other, {"partner_letter": "x"}).refusal.code == "not_editable"
    assert add_member(workflow, app_id, people.other, "other@test.kr").refusal.code == "not_your_application"
    added = add_member(workflow, app_id, people.applicant, "other@test.kr")
    assert added.ok and added.state == "draft"

    assert workflow.save_draft(app_id, people.other, {"partner_letter": "We will host two researchers."}).ok
    submitted = workflow.fire(app_id, "submit", people.other)
    assert submitted.ok and submitted.state == "submitted"
    with db_engine.connect() as connection:
        events = connection.execute(
            select(HistoryEvent.trigger, HistoryEvent.reason, HistoryEvent.actor_roles)
            .where(HistoryEvent.application_id == app_id)
            .order_by(HistoryEvent.seq)
        ).all()
    assert [e.trigger for e in events] == ["create", "add_co_applicant", "save_draft", "submit"]
    assert events[1].reason == "other@test.kr"
    assert events[2].actor_roles == events[3].actor_roles == ["co_applicant"]


def test_a_program_without_co_applicants_or_an_unknown_user_is_refused(db_engine, clock, people, tmp_path):
    startup = (
        make_workflow(db_engine, clock, ENGINE_PROGRAMS).create(GRANT, people.applicant, {}).application_id
    )
    assert add_member(
        make_workflow(db_engine, clock, ENGINE_PROGRAMS), startup, people.applicant, "other@test.kr"
    ).refusal.code == ("unknown_role")
    rules = rules_folder(tmp_path, FIXTURES / "valid" / "joint.yaml")
    workflow = make_workflow(db_engine, clock, rules)
    app_id = workflow.create("joint-research", people.applicant, {}).application_id
    assert add_member(workflow, app_id, people.applicant, "nobody@test.kr").refusal.code == "unknown_user"
    assert add_member(workflow, app_id, people.applicant, "applicant@test.kr").refusal.code == "unknown_user"
