"""The sign-off panel and the reviewer-kind choice in a real browser, at 1366x900 and on a 390x844 phone:
no sideways scrolling, no serious axe finding, and the approval recorded by clicking the button."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.e2e.conftest import Journey, login, served
from tests.engine.capabilities import CAPABILITIES, staff
from tests.web.conftest import PASSWORD, make_app, people_with_passwords
from workflow.services import reviews


@pytest.fixture
def capability_server(sqlite_engine, clock, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(CAPABILITIES, rules)
    app = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))
    with served(app) as base:
        yield app, base


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_committee_member_approves_and_sees_what_is_still_needed(capability_server, page_at, size):
    app, base = capability_server
    engine = app.extensions["workflow"].db
    first = staff(engine, "committee", "sign-off", f"kim-{size}")
    people = people_with_passwords(app)
    workflow = app.extensions["workflow"]
    app_id = workflow.create(
        "sign-off", people.applicant, {"title": "센서", "amount": 10_000_000}
    ).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok

    journey = Journey("sign-off", size, set())
    page = page_at(size)
    login(page, base, f"kim-{size}@test.kr", PASSWORD)
    page.goto(f"{base}/applications/{app_id}")
    journey.shot(page, "before")
    page.get_by_role("button", name="선정 승인 (0/2명 승인)").click()
    page.wait_for_load_state()
    body = page.inner_text("body")
    assert "승인이 기록되었습니다" in body and "2명 중 1명 승인" in body and first.name in body
    assert re.search(r"남은 승인:\s*선정위원회 1명", body)
    journey.shot(page, "approved")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_officer_picks_a_reviewer_kind_and_sees_earlier_rounds(capability_server, page_at, size):
    app, base = capability_server
    engine = app.extensions["workflow"].db
    officer = staff(engine, "officer", "review-rounds", f"officer-{size}")
    people = people_with_passwords(app)
    workflow = app.extensions["workflow"]
    app_id = workflow.create("review-rounds", people.applicant, {"title": "양자 센서"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    for reviewer, kind in ((people.reviewer1, "external"), (people.reviewer2, "internal")):
        assert reviews.assign(workflow, app_id, reviewer.id, officer, kind=kind).ok
        assert reviews.declare(workflow, app_id, reviewer, "none").ok
    for reviewer in (people.reviewer1, people.reviewer2):
        assert reviews.submit(workflow, app_id, reviewer, {"merit": 4}).ok
    assert workflow.fire(app_id, "ask_revision", officer, reason="보완").ok
    assert workflow.fire(app_id, "submit", people.applicant).ok

    journey = Journey("review-rounds", size, set())
    page = page_at(size)
    login(page, base, f"officer-{size}@test.kr", PASSWORD)
    page.goto(f"{base}/officer/applications/{app_id}")
    page.get_by_text("이전 심사 차수").click()  # open the earlier round
    assert "4점" in page.inner_text("body")  # the first round's scores, kept
    journey.shot(page, "round-2")
    page.get_by_label("평가위원 구분").select_option("external")
    page.get_by_role("button", name="배정").click()
    page.wait_for_load_state()
    body = page.inner_text("body")
    assert "평가위원을 배정했습니다" in body and "2차 심사" in body and "외부위원" in body
    journey.shot(page, "assigned")
