"""Each role's main journey in a real Chromium, one journey per test, at 1366×900 and on a 390×844 phone.
Every step: axe-core finds nothing serious or critical, the page never scrolls sideways, and Korean pages
show no internal key. (1) An applicant signs up, confirms the address from the mailed link, fills the
startup-support form over two visits (the draft survives a sign-out), uploads a PDF and submits; (2) a
reviewer pledges, declares no conflict and scores; (3) an officer screens, assigns a reviewer and selects;
(4) the applicant reads the decision in Korean and in English. `pytest --screenshots` keeps
test-output/e2e/<journey>-<size>/."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import SIZES, Journey, internal_keys, login, named_like_people
from tests.factories import PDF, submitted_startup
from tests.web.conftest import PASSWORD
from workflow.notices.mail import read_folder
from workflow.services import reviews
from workflow.services.files import FileStore

EMAIL = "founder@healthon.kr"
SIGNUP_PASSWORD = "long-enough-password"
SCORES = {"innovation": 25, "feasibility": 35, "regional_impact": 25}


def _screened_with_reviewer(workflow, people, store, reviewer) -> int:
    app_id = submitted_startup(workflow, people, store)
    assert workflow.fire(app_id, "pass_screening", people.officer).ok
    assert reviews.assign(workflow, app_id, reviewer.id, people.officer).ok
    return app_id


def _scored_by(workflow, app_id, people, reviewers) -> None:
    for reviewer in reviewers:
        assert reviews.assign(workflow, app_id, reviewer.id, people.officer).ok
        reviews.accept_pledge(workflow, reviewer)
        assert reviews.declare(workflow, app_id, reviewer, "none").ok
        assert reviews.submit(workflow, app_id, reviewer, SCORES).ok


@pytest.mark.parametrize("size", SIZES)
def test_an_applicant_signs_up_fills_the_form_over_two_visits_and_submits(live_app, page_at, tmp_path, size):
    app, _, base = live_app
    pdf = tmp_path / "business-plan.pdf"
    pdf.write_bytes(PDF)
    journey = Journey("1-applicant", size, internal_keys(app.extensions["workflow"]))
    page = page_at(size)
    page.goto(base + "/")
    journey.shot(page, "home")
    page.goto(base + "/signup")
    page.check("#kind-0")
    page.fill("#name", "한창업")
    page.fill("#organisation", "헬스온 주식회사")
    page.fill("#email", EMAIL)
    page.fill("#password", SIGNUP_PASSWORD)
    page.fill("#confirm", SIGNUP_PASSWORD)
    journey.shot(page, "signup")
    page.get_by_role("button", name="회원가입").click()
    page.wait_for_url(re.compile("/login"))
    journey.shot(page, "signed-up")
    login(page, base, EMAIL, SIGNUP_PASSWORD)
    [mail] = read_folder(tmp_path / "mail")  # the address is confirmed before the account can apply
    page.goto(base + re.search(r"https?://[^/\s]+(/account/verify/\S+)", mail["text"]).group(1))
    journey.shot(page, "address-confirmed")
    page.goto(base + "/programs/startup-support")
    journey.shot(page, "program")
    page.get_by_role("button", name="신청서 작성 시작").first.click()
    page.wait_for_url(re.compile(r"/applications/\d+/form"))
    app_id = int(re.search(r"/applications/(\d+)/form", page.url).group(1))
    page.fill("#company_name", "헬스온 주식회사")
    page.fill("#business_no", "123-45-67890")
    page.fill("#representative", "한창업")
    page.fill("#contact_email", "ceo@healthon.kr")
    page.fill("#contact_phone", "010-1234-5678")
    page.get_by_text("임시 저장되었습니다").wait_for()  # autosave answered
    journey.shot(page, "first-visit-autosaved")
    page.get_by_role("button", name="저장", exact=True).click()
    page.wait_for_load_state()
    journey.shot(page, "first-visit-saved")
    page.get_by_role("button", name="로그아웃").click()
    page.wait_for_load_state()

    login(page, base, EMAIL, SIGNUP_PASSWORD)
    page.goto(base + "/my")
    journey.shot(page, "second-visit-my-applications")
    page.get_by_role("link", name=f"#{app_id}").first.click()
    page.get_by_role("link", name="신청서 작성·제출").click()
    assert page.input_value("#company_name") == "헬스온 주식회사"  # the draft survived the sign-out
    page.fill("#founded_on", "2023-04-01")
    page.fill("#employees", "12")
    page.select_option("#sector", "digital_therapeutics")
    page.check("#support_needs-0")
    page.check("#gangwon_based-0")
    page.fill("#summary", "불면증 인지행동치료 디지털 치료제의 임상 및 사업화를 추진합니다.")
    page.fill("#requested_amount", "45000000")
    page.fill("#own_cash", "10000000")
    page.fill("#in_kind", "5000000")
    page.set_input_files("#business_plan", str(pdf))
    journey.shot(page, "second-visit-complete")
    page.get_by_role("button", name="제출", exact=True).click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    assert "접수 완료 · 검토 중" in page.content()
    journey.shot(page, "submitted-status")
    page.goto(f"{base}/applications/{app_id}/receipt")
    journey.shot(page, "receipt")


@pytest.mark.parametrize("size", SIZES)
def test_a_reviewer_pledges_declares_no_conflict_and_scores(live_app, page_at, tmp_path, size):
    app, people, base = live_app
    named_like_people(app, people)  # before anything is recorded: the history keeps the actor's name
    workflow = app.extensions["workflow"]
    app_id = _screened_with_reviewer(workflow, people, FileStore(tmp_path / "uploads"), people.reviewer1)
    journey = Journey("2-reviewer", size, internal_keys(workflow))
    page = page_at(size)
    login(page, base, "reviewer1@test.kr", PASSWORD)
    page.goto(base + "/review/")
    journey.shot(page, "inbox")
    page.get_by_role("link", name=re.compile("이해충돌 신고하기")).first.click()
    assert "불면증" not in page.content()  # nothing of the application before the pledge
    page.check("#accept")
    journey.shot(page, "pledge")
    page.get_by_role("button", name="보안서약에 동의합니다").click()
    page.wait_for_url(re.compile(rf"/review/{app_id}/declare$"))
    assert "불면증" not in page.content()  # nothing of the application before the declaration
    page.check("#declaration-0")
    journey.shot(page, "declaration")
    page.get_by_role("button", name="신고 제출").click()
    page.wait_for_url(re.compile(rf"/review/{app_id}$"))
    page.fill("#score_innovation", "26")
    page.fill("#score_feasibility", "34")
    page.fill("#score_regional_impact", "24")
    page.fill("#comment", "임상 근거가 탄탄하고 지역 병원과의 협력이 구체적입니다.")
    journey.shot(page, "rubric")
    page.get_by_role("button", name="점수 제출").click()
    page.wait_for_load_state()
    assert "제출 완료(수정 불가)" in page.content()
    journey.shot(page, "locked")


@pytest.mark.parametrize("size", SIZES)
def test_an_officer_screens_assigns_a_reviewer_and_selects(live_app, page_at, tmp_path, size):
    app, people, base = live_app
    named_like_people(app, people)  # before anything is recorded: the history keeps the actor's name
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, people, FileStore(tmp_path / "uploads"))
    journey = Journey("3-officer", size, internal_keys(workflow))
    page = page_at(size)
    login(page, base, "officer@test.kr", PASSWORD)
    page.goto(base + "/officer/")
    journey.shot(page, "programs")
    page.get_by_role("link", name=re.compile("신청 현황 보기 — 디지털헬스케어 창업지원")).click()
    journey.shot(page, "board")
    page.get_by_role("link", name=f"#{app_id}").first.click()
    journey.shot(page, "application-screening")
    page.get_by_label("통과", exact=True).check()  # the screening decision's outcome
    page.get_by_role("button", name="결정 기록").click()
    page.wait_for_load_state()
    page.select_option("#reviewer_id", value=str(people.reviewer1.id))
    page.get_by_role("button", name="배정").click()
    page.wait_for_load_state()
    journey.shot(page, "reviewer-assigned")
    reviews.accept_pledge(workflow, people.reviewer1)
    assert reviews.declare(workflow, app_id, people.reviewer1, "none").ok
    assert reviews.submit(workflow, app_id, people.reviewer1, SCORES).ok
    _scored_by(workflow, app_id, people, (people.reviewer2, people.reviewer3))

    page.goto(f"{base}/officer/applications/{app_id}")
    journey.shot(page, "application-selection")
    page.get_by_label("선정", exact=True).check()
    page.fill("#reason-selection", "평가 평균 85점으로 선정 기준을 충족합니다.")
    journey.shot(page, "decision-chosen")
    page.get_by_role("button", name="결정 기록").click()
    page.wait_for_load_state()
    assert "선정 · 협약 대기" in page.content()
    journey.shot(page, "selected")


@pytest.mark.parametrize("size", SIZES)
def test_the_applicant_reads_the_decision_in_korean_and_in_english(live_app, page_at, tmp_path, size):
    app, people, base = live_app
    named_like_people(app, people)  # before anything is recorded: the history keeps the actor's name
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, people, FileStore(tmp_path / "uploads"))
    assert workflow.fire(app_id, "pass_screening", people.officer).ok
    _scored_by(workflow, app_id, people, people.reviewers[:3])
    assert workflow.fire(app_id, "select", people.officer, reason="평가 평균 85점").ok
    journey = Journey("4-status", size, internal_keys(workflow))
    page = page_at(size)
    login(page, base, "applicant@test.kr", PASSWORD)
    page.goto(f"{base}/applications/{app_id}")
    assert "선정 · 협약 대기" in page.content()
    journey.shot(page, "status-korean")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert "Selected · agreement pending" in page.content()
    journey.shot(page, "status-english")
    page.get_by_role("button", name="한국어").click()
    page.wait_for_load_state()
    assert "협약 정보를 입력하고 협약에 서명하세요" in page.content()
    journey.shot(page, "status-korean-again")
