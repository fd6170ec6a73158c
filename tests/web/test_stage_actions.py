"""Stage-aware actions: each stage's button says what it is (`action_label:` or the stage's title), a stage
editable now is never "nothing to do", and the stage shows its step's deadline."""

from __future__ import annotations

from tests.factories import reviewed_startup, submitted_startup
from tests.web.conftest import login

NOTHING = "지금 이 신청서에 대해 하실 일이 없습니다."


def test_the_agreement_stage_has_its_own_button_and_no_nothing_to_do(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "select", web_people.officer).ok
    login(client, web_people.applicant)
    page = client.get(f"/applications/{app_id}").text
    assert "협약 정보 입력·서명" in page
    assert "신청서 작성·제출" not in page
    assert NOTHING not in page
    assert "규칙 버전" not in page  # an internal word, staff only


def test_a_stage_without_action_label_is_named_by_its_title(app, client, web_people, store):
    program = app.extensions["workflow"].registry.latest("regulatory-difficulty")
    stage = next(iter(program.spec.stages.values()))
    assert stage.action_label is None  # this file relies on the default
    workflow = app.extensions["workflow"]
    created = workflow.create("regulatory-difficulty", web_people.applicant, {})
    login(client, web_people.applicant)
    page = client.get(f"/applications/{created.application_id}").text
    assert f"{stage.title.ko} 작성하기" in page and NOTHING not in page


def test_the_form_and_its_button_show_the_step_deadline(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "request_changes", web_people.officer, reason="보완해 주세요").ok
    login(client, web_people.applicant)
    status = client.get(f"/applications/{app_id}").text
    assert "신청서 작성·제출" in status
    assert status.count("2026-05-14 18:00 KST") >= 2  # the step's deadline and the stage's button
    form = client.get(f"/applications/{app_id}/form").text
    assert "2026-05-14 18:00 KST" in form and "D-10" in form
