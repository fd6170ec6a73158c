"""Program journeys in a real Chromium (applicant and staff), with an axe-core check, no sideways scrolling and
no internal key at every step: the policy forum and the investment incentive (test-output/e2e/<program>/)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from tests.e2e.program_steps import (
    AT_A_DESK,
    FORUM_FORM,
    ON_A_PHONE,
    camera_for,
    fill,
    fill_forum,
    letter_link,
    page_for,
    press,
    sign_in,
    someone,
    start_application,
    start_in_english,
    stored_pdf,
    upload,
)
from tests.factories import PDF, incentive_data
from workflow.models import Award


@ON_A_PHONE
def test_policy_forum_last_place_waiting_list_promotion_and_certificate(live_app, page_at, clock, size):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 10:00 in Seoul, registration open
    crowd = someone(workflow, "crowd@test.kr")
    for number in range(119):  # every place but one is taken
        created = workflow.create("policy-forum", crowd, {**FORUM_FORM, "attendee_name": f"참가자{number}"})
        assert workflow.fire(created.application_id, "register", crowd).state == "registered"

    # the applicant takes the last place ----------------------------------------------------------
    camera = camera_for(app, people, "policy-forum", size)
    page = page_for(page_at, size)
    sign_in(page, base, "applicant@test.kr")
    page.goto(f"{base}/programs/policy-forum")
    assert "정원 120명" in page.content()
    camera.shot(page, "announcement")
    first = start_application(page, base, "policy-forum")
    fill_forum(page, "한신청", "applicant@healthon.kr")
    camera.shot(page, "registration-form")
    page.get_by_role("button", name="등록", exact=True).click()
    page.wait_for_url(re.compile(rf"/applications/{first}$"))
    assert "등록 완료" in page.content()
    camera.shot(page, "registered")

    # a second person, reading in English, is put on the waiting list ---------------------------------
    late = page_for(page_at, size, "en")
    sign_in(late, base, "other@test.kr")
    late.get_by_role("button", name="English").click()
    late.wait_for_load_state()
    second = start_in_english(late, base)
    fill_forum(late, "Jamie Park", "jamie@example.com")
    late.get_by_role("button", name="Register", exact=True).click()
    late.wait_for_url(re.compile(rf"/applications/{second}$"))
    assert "Waiting list" in late.content() and "registered automatically" in late.content()
    camera.shot(late, "waiting-list-english")

    # the applicant cancels: the place goes to the first one waiting, who is told ----------------------
    page.goto(f"{base}/applications/{first}")
    page.get_by_role("button", name="등록 취소").click()
    page.wait_for_load_state()
    assert "등록 취소" in page.content()
    camera.shot(page, "cancelled")
    late.goto(f"{base}/applications/{second}")
    assert "Registered" in late.content()
    camera.shot(late, "promoted-english")
    late.goto(f"{base}/notices/")
    assert "A place opened up" in late.content()
    camera.shot(late, "promotion-notice-english")

    # the officer confirms and checks the attendee in on the day --------------------------------------
    officer = page_for(page_at, size)
    sign_in(officer, base, "officer@test.kr")
    officer.goto(f"{base}/officer/applications/{second}")
    camera.shot(officer, "officer-registered")
    officer.get_by_role("button", name="참석 확정 안내").click()
    officer.wait_for_load_state()
    assert "참석 확정" in officer.content()
    officer.get_by_label("참석", exact=True).check()
    camera.shot(officer, "officer-attendance")
    officer.get_by_role("button", name="결정 기록").click()
    officer.wait_for_load_state()
    assert "참석 완료" in officer.content()
    camera.shot(officer, "officer-attended")

    # the attendee receives the certificate of attendance as a PDF letter ----------------------------
    late.goto(f"{base}/notices/")
    assert "Certificate of attendance" in late.content()
    camera.shot(late, "certificate-notice-english")
    pdf = late.request.get(letter_link(late, base))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    if camera.enabled:
        (camera.folder / "certificate.pdf").write_bytes(pdf.body())


def test_investment_incentive_is_applied_for_after_the_investment(workflow, people, store, clock):
    """Through fire() on the shipped file, no browser: a completion date after today (Seoul) is refused with
    the file's message in both languages; the day it is reached the same application goes through."""
    data = incentive_data(store, investment_completed_on="2026-05-05")  # the clock: 4 May 2026 in Seoul
    created = workflow.create("investment-incentive", people.applicant, data)
    assert created.ok, created.reason("en")
    refused = workflow.fire(created.application_id, "submit", people.applicant)
    assert refused.refusal.code == "guard_failed"
    assert "투자를 완료한 뒤에 신청할 수 있습니다" in refused.reason("ko")
    assert "Apply once the investment is complete" in refused.reason("en")
    clock.advance(days=1)
    assert workflow.fire(created.application_id, "submit", people.applicant).state == "document_review"


@AT_A_DESK
def test_investment_incentive_formula_instalments_and_pro_rata_recovery(
    live_app, page_at, clock, tmp_path, size
):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    pdf = tmp_path / "evidence.pdf"
    pdf.write_bytes(PDF)
    camera = camera_for(app, people, "investment-incentive", size)

    # the company applies after the investment, with its evidence ------------------------------------
    page = page_for(page_at, size)
    sign_in(page, base, "applicant@test.kr")
    page.goto(f"{base}/programs/investment-incentive")
    camera.shot(page, "announcement")
    app_id = start_application(page, base, "investment-incentive")
    for name, value in {
        "company_name": "메디웨어 주식회사",
        "business_no": "214-86-55010",
        "representative": "오투자",
        "contact_email": "invest@mediware.kr",
        "contact_phone": "033-742-1100",
        "employees": "48",
        "site_address": "강원특별자치도 원주시 문막읍 동화공단로 100",
        "investment_completed_on": "2026-05-29",  # not yet: the clock is 4 May 2026
        "land_investment": "2,400,000,000",
        "facility_investment": "5,600,000,000",
        "new_jobs": "32",
        "requested_amount": "1,600,000,000",
    }.items():
        page.fill(f"#{name}", value)
    page.select_option("#investment_type", "relocation")
    page.select_option("#region", "wonju")
    page.set_input_files("#investment_evidence", str(pdf))
    page.set_input_files("#employment_evidence", str(pdf))
    camera.shot(page, "application-form")
    page.get_by_role("button", name="제출", exact=True).click()
    page.wait_for_load_state()
    assert "투자를 완료한 뒤에 신청할 수 있습니다" in page.content()  # a completion date after today
    camera.shot(page, "investment-not-yet-complete")
    page.fill("#investment_completed_on", "2026-03-31")
    page.get_by_role("button", name="제출", exact=True).click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    assert "접수 완료 · 서류 검토 중" in page.content()
    camera.shot(page, "submitted")

    # the officer visits the site, records what was verified and decides: the formula gives the amount --
    officer = page_for(page_at, size)
    sign_in(officer, base, "officer@test.kr")
    officer.goto(f"{base}/officer/applications/{app_id}")
    officer.fill("#f-schedule_site_check-site_visit_on", "2026-05-12")
    officer.get_by_role("button", name="현장 실사 일정 확정").click()
    officer.wait_for_load_state()
    officer.fill("#f-complete_site_check-verified_land_investment", "2,400,000,000")
    officer.fill("#f-complete_site_check-verified_facility_investment", "5,400,000,000")
    officer.fill("#f-complete_site_check-verified_jobs", "30")
    officer.fill(
        "#f-complete_site_check-site_check_notes", "설비 일부(2억원)는 리스 계약으로 확인되어 제외함"
    )
    camera.shot(officer, "officer-site-check")
    officer.get_by_role("button", name="실사 결과 입력").click()
    officer.wait_for_load_state()
    officer.get_by_label("교부 결정", exact=True).check()
    officer.get_by_role("button", name="결정 기록").click()
    officer.wait_for_load_state()
    assert "교부 결정 · 협약 대기" in officer.content()
    camera.shot(officer, "officer-decided")
    # 30% of 2,400,000,000 + 10% of 5,400,000,000 + 30 jobs × 10,000,000
    page.goto(f"{base}/applications/{app_id}")
    assert "1,560,000,000원" in page.content()
    camera.shot(page, "award-on-status")

    # the company signs; finance pays both instalments; a year later the report shows a breach -----------
    page.get_by_role("link", name="협약 정보 입력·서명").click()
    page.fill("#bank_name", "농협은행")
    page.fill("#bank_account", "351-1234-5678-93")
    page.fill("#signatory", "오투자")
    page.check("#accept_obligations-0")
    page.get_by_role("button", name="협약 서명").click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    # finance pays the first instalment; the officer confirms the site runs; a month later the second --
    finance = page_for(page_at, size)
    sign_in(finance, base, "finance@test.kr")
    finance.goto(f"{base}/officer/applications/{app_id}")
    finance.get_by_role("button", name="1차 지급").click()
    finance.wait_for_load_state()
    assert "가동·고용 이행 확인 대기" in finance.content()
    camera.shot(finance, "finance-first-instalment")
    officer.goto(f"{base}/officer/applications/{app_id}")
    officer.get_by_role("button", name="가동·고용 이행 확인").click()
    officer.wait_for_load_state()
    clock.advance(days=30)
    sign_in(finance, base, "finance@test.kr")  # a month later: the session has expired
    finance.goto(f"{base}/officer/applications/{app_id}")
    finance.get_by_role("button", name="2차 지급").click()
    finance.wait_for_load_state()
    assert "의무 이행 1년차" in finance.content()

    # year 1 is reported and kept; in year 2 the company reports only 12 of the 30 jobs ---------------------
    clock.advance(days=365)
    assert workflow.fire(app_id, "request_report", people.system).state == "report_due_1"
    report = {"employees_now": 52, "jobs_kept": 30, "site_operating": True, "roster_file": stored_pdf(app)}
    assert workflow.save_draft(app_id, people.applicant, report).ok
    assert workflow.fire(app_id, "submit_report", people.applicant).ok
    assert workflow.fire(app_id, "approve_report", people.officer).ok
    clock.advance(days=365)
    assert workflow.fire(app_id, "request_report", people.system).state == "report_due_2"
    sign_in(page, base, "applicant@test.kr")  # two years later: the sessions have expired
    page.goto(f"{base}/applications/{app_id}")
    assert "2년차 이행실적 보고" in page.content()
    page.get_by_role("link", name="이행실적 보고서 작성").click()
    page.wait_for_load_state()
    # the browser's copy of the application form (kept on submitting it) is not this form's: no choice asked
    assert page.locator("#draft-choice").is_hidden()
    fill(page, {"employees_now": "34", "jobs_kept": "12"})
    page.check("#site_operating-0")
    upload(page, "roster_file", pdf)
    camera.shot(page, "yearly-report")
    press(page, "이행실적 보고")
    assert "2년차 보고 검토" in page.content()
    sign_in(officer, base, "officer@test.kr")
    officer.goto(f"{base}/officer/applications/{app_id}")
    camera.shot(officer, "officer-report-review")
    officer.fill("#reason-find_breach", "신규고용 30명 중 12명만 유지되어 고용 유지 의무를 위반함")
    camera.shot(officer, "officer-breach")
    officer.get_by_role("button", name="의무 위반 환수 결정").click()
    officer.wait_for_load_state()
    assert "환수 진행" in officer.content()
    sign_in(finance, base, "finance@test.kr")
    finance.goto(f"{base}/officer/applications/{app_id}")
    finance.get_by_role("button", name="환수 완료", exact=True).click()
    finance.wait_for_load_state()
    with workflow.db.connect() as connection:
        award = connection.execute(select(Award).where(Award.application_id == app_id)).mappings().one()
    assert award["recovered"] == 1_040_000_000  # two of the three years not kept: 2/3 of what was paid
    assert award["interest"] > 0
    page.goto(f"{base}/applications/{app_id}")
    assert "환수 완료" in page.content()
    camera.shot(page, "recovered-status")
    page.goto(f"{base}/notices/")
    assert "지원금 환수 처리 안내" in page.content()  # the amounts recovered, principal and interest
    camera.shot(page, "recovery-notice")
