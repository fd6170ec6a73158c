"""`sign_off_again_after_edit`: approvals are of the text as it is; a change saved by either partner after a
confirmation asks both again (the joint application of rules/industry-academia.yaml)."""

from __future__ import annotations

import shutil

from tests.conftest import FIXTURES, make_workflow
from workflow.engine.members import add_member

JOINT = FIXTURES / "programs" / "joint-text.yaml"


def _joint(db_engine, clock, tmp_path, people):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(JOINT, rules / JOINT.name)
    workflow = make_workflow(db_engine, clock, rules)
    app_id = workflow.create("joint-text", people.applicant, {"body": "첫 번째 안"}).application_id
    assert add_member(workflow, app_id, people.applicant, "other@test.kr").ok  # the university
    return workflow, app_id


def test_both_confirm_in_turn_then_it_is_submitted(db_engine, clock, tmp_path, people):
    workflow, app_id = _joint(db_engine, clock, tmp_path, people)
    out_of_turn = workflow.fire(app_id, "submit", people.other)
    assert out_of_turn.refusal.code == "approval_turn"
    first = workflow.fire(app_id, "submit", people.applicant)
    assert first.ok and first.approved and first.state == "draft"
    last = workflow.fire(app_id, "submit", people.other)
    assert last.ok and last.state == "submitted"


def test_a_change_by_either_asks_both_again(db_engine, clock, tmp_path, people):
    workflow, app_id = _joint(db_engine, clock, tmp_path, people)
    assert workflow.fire(app_id, "submit", people.applicant).approved
    assert workflow.save_draft(app_id, people.other, {"body": "대학이 고친 안"}).ok  # the partner edits
    # the lead's confirmation was of the old text: the partner cannot complete it
    assert workflow.fire(app_id, "submit", people.other).refusal.code == "approval_turn"
    assert workflow.fire(app_id, "submit", people.applicant).approved
    assert workflow.fire(app_id, "submit", people.other).state == "submitted"


def test_saving_the_same_text_again_keeps_the_confirmation(db_engine, clock, tmp_path, people):
    workflow, app_id = _joint(db_engine, clock, tmp_path, people)
    assert workflow.fire(app_id, "submit", people.applicant).approved
    assert workflow.save_draft(app_id, people.applicant, {"body": "첫 번째 안"}).ok  # nothing changed
    assert workflow.fire(app_id, "submit", people.other).state == "submitted"
