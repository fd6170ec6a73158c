"""The four journeys in a real Chromium, with a screenshot and an axe-core check at every step:
(1) an applicant signs up, confirms the address from the mailed link, fills the startup-support form over two visits (the draft survives a
logout), uploads a PDF and submits; (2) a reviewer declares no conflict and scores; (3) an officer
approves (selects); (4) the applicant sees the new status in English and in Korean."""

from __future__ import annotations

import re

from tests.e2e.conftest import Camera
from tests.factories import PDF
from tests.web.conftest import PASSWORD
from workflow.notices.mail import read_folder
from workflow.services import reviews

EMAIL = "founder@healthon.kr"
SIGNUP_PASSWORD = "long-enough-password"


def _login(page, base, email, password):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name=re.compile("^(로그인|Sign in)$")).click()
    page.wait_for_load_state()


def _accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def test_four_journeys(live_app, new_page, tmp_path):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    pdf = tmp_path / "business-plan.pdf"
    pdf.write_bytes(PDF)

    # (1) the applicant -----------------------------------------------------------------------
    camera = Camera("1-applicant")
    page = new_page()
    _accept_dialogs(page)
    page.goto(base + "/")
    camera.shot(page, "home")
    page.goto(base + "/signup")
    page.check("#kind-0")
    page.fill("#name", "한창업")
    page.fill("#organisation", "헬스온 주식회사")
    page.fill("#email", EMAIL)
    page.fill("#password", SIGNUP_PASSWORD)
    page.fill("#confirm", SIGNUP_PASSWORD)
    camera.shot(page, "signup")
    page.get_by_role("button", name="회원가입").click()
    page.wait_for_url(re.compile("/login"))
    camera.shot(page, "signed-up")
    _login(page, base, EMAIL, SIGNUP_PASSWORD)
    [mail] = read_folder(tmp_path / "mail")  # the address is confirmed before the account can apply
    page.goto(base + re.search(r"https?://[^/\s]+(/account/verify/\S+)", mail["text"]).group(1))
    camera.shot(page, "address-confirmed")
    page.goto(base + "/programs/startup-support")
    camera.shot(page, "program")
    page.get_by_role("button", name="신청서 작성 시작").first.click()
    page.wait_for_url(re.compile(r"/applications/\d+/form"))
    app_id = int(re.search(r"/applications/(\d+)/form", page.url).group(1))
    page.fill("#company_name", "헬스온 주식회사")
    page.fill("#business_no", "123-45-67890")
    page.fill("#representative", "한창업")
    page.fill("#contact_email", "ceo@healthon.kr")
    page.fill("#contact_phone", "010-1234-5678")
    page.get_by_text("임시 저장되었습니다").wait_for()  # autosave answered
    camera.shot(page, "first-visit-autosaved")
    page.get_by_role("button", name="저장", exact=True).click()
    page.wait_for_load_state()
    camera.shot(page, "first-visit-saved")
    page.get_by_role("button", name="로그아웃").click()
    page.wait_for_load_state()

    _login(page, base, EMAIL, SIGNUP_PASSWORD)
    page.goto(base + "/my")
    camera.shot(page, "second-visit-my-applications")
    page.get_by_role("link", name=f"#{app_id}").click()
    page.get_by_role("link", name="신청서 작성·제출").click()
    assert page.input_value("#company_name") == "헬스온 주식회사"  # the draft survived the logout
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
    camera.shot(page, "second-visit-complete")
    page.get_by_role("button", name="제출", exact=True).click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    assert "접수 완료 · 검토 중" in page.content()
    camera.shot(page, "submitted-status")

    # the officer screens and assigns a reviewer --------------------------------------------
    officer_camera = Camera("3-officer")
    officer = new_page()
    _accept_dialogs(officer)
    _login(officer, base, "officer@test.kr", PASSWORD)
    officer.goto(base + "/officer/")
    officer_camera.shot(officer, "programs")
    officer.get_by_role("link", name=re.compile("신청 현황 보기 — 디지털헬스케어 창업지원")).click()
    officer_camera.shot(officer, "board")
    officer.get_by_role("link", name=f"#{app_id}").click()
    officer_camera.shot(officer, "application-screening")
    officer.get_by_label("통과", exact=True).check()  # the screening decision's outcome
    officer.get_by_role("button", name="결정 기록").click()
    officer.wait_for_load_state()
    officer.select_option("#reviewer_id", value=str(people.reviewer1.id))
    officer.get_by_role("button", name="배정").click()
    officer.wait_for_load_state()
    officer_camera.shot(officer, "reviewer-assigned")
    for reviewer in (people.reviewer2, people.reviewer3):
        assert reviews.assign(workflow, app_id, reviewer.id, people.officer).ok
        assert reviews.declare(workflow, app_id, reviewer, "none").ok
        scores = {"innovation": 25, "feasibility": 35, "regional_impact": 25}
        assert reviews.submit(workflow, app_id, reviewer, scores).ok

    # (2) the reviewer ---------------------------------------------------------------------------
    reviewer_camera = Camera("2-reviewer")
    reviewer = new_page()
    _accept_dialogs(reviewer)
    _login(reviewer, base, "reviewer1@test.kr", PASSWORD)
    reviewer.goto(base + "/review/")
    reviewer_camera.shot(reviewer, "inbox")
    reviewer.get_by_role("link", name=re.compile("이해충돌 신고하기")).click()
    assert "불면증" not in reviewer.content()  # nothing of the application before the pledge
    reviewer.check("#accept")
    reviewer_camera.shot(reviewer, "pledge")
    reviewer.get_by_role("button", name="보안서약에 동의합니다").click()
    reviewer.wait_for_url(re.compile(rf"/review/{app_id}/declare$"))
    assert "불면증" not in reviewer.content()  # nothing of the application before the declaration
    reviewer.check("#declaration-0")
    reviewer_camera.shot(reviewer, "declaration")
    reviewer.get_by_role("button", name="신고 제출").click()
    reviewer.wait_for_url(re.compile(rf"/review/{app_id}$"))
    reviewer.fill("#score_innovation", "26")
    reviewer.fill("#score_feasibility", "34")
    reviewer.fill("#score_regional_impact", "24")
    reviewer.fill("#comment", "임상 근거가 탄탄하고 지역 병원과의 협력이 구체적입니다.")
    reviewer_camera.shot(reviewer, "rubric")
    reviewer.get_by_role("button", name="점수 제출").click()
    reviewer.wait_for_load_state()
    assert "제출 완료(수정 불가)" in reviewer.content()
    reviewer_camera.shot(reviewer, "locked")

    # (3) the officer selects ----------------------------------------------------------------
    officer.goto(f"{base}/officer/applications/{app_id}")
    officer_camera.shot(officer, "application-selection")
    officer.get_by_label("선정", exact=True).check()
    officer.fill("#reason-selection", "평가 평균 84.7점으로 선정 기준을 충족합니다.")
    officer_camera.shot(officer, "decision-chosen")
    officer.get_by_role("button", name="결정 기록").click()
    officer.wait_for_load_state()
    assert "선정 · 협약 대기" in officer.content()
    officer_camera.shot(officer, "selected")

    # (4) the applicant reads the new status in Korean and in English -------------------------
    status_camera = Camera("4-status")
    page.goto(f"{base}/applications/{app_id}")
    assert "선정 · 협약 대기" in page.content()
    status_camera.shot(page, "status-korean")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert "Selected · agreement pending" in page.content()
    status_camera.shot(page, "status-english")
    page.get_by_role("button", name="한국어").click()
    page.wait_for_load_state()
    assert "협약 정보를 입력하고 협약에 서명하세요" in page.content()
    status_camera.shot(page, "status-korean-again")
