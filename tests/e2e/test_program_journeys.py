"""One journey per program kind added in rules/ (applicant and staff, in a real Chromium), with an axe-core
check and, with `--screenshots`, a picture of every step (test-output/e2e/<program>/)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.e2e.conftest import Journey, internal_keys, named_like_people
from tests.factories import PDF
from tests.web.conftest import PASSWORD
from workflow.engine.actors import load_actor
from workflow.models import Award
from workflow.services.users import create_user


def _login(page, base, email, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name=re.compile("^(로그인|Sign in)$")).click()
    page.wait_for_load_state()


SIZES = pytest.mark.parametrize("size", ["desktop", "phone"])


def _page(page_at, size, lang="ko"):
    return page_at(size, lang)


def _camera(app, people, name: str, size: str) -> Journey:
    named_like_people(app, people)  # people named like people, so that role keys in the text stand out
    return Journey(name, size, internal_keys(app.extensions["workflow"]))


def _start(page, base, key: str) -> int:
    page.goto(f"{base}/programs/{key}")
    page.get_by_role("button", name="신청서 작성 시작").first.click()
    page.wait_for_url(re.compile(r"/applications/\d+/form"))
    return int(re.search(r"/applications/(\d+)/form", page.url).group(1))


def _someone(workflow, email: str):
    with workflow.db.begin() as connection:
        user_id = create_user(connection, email, email.split("@")[0])
    with workflow.db.connect() as connection:
        return load_actor(connection, user_id)


FORUM_FORM = {
    "attendee_name": "김포럼",
    "organisation": "헬스온 주식회사",
    "job_title": "책임연구원",
    "sector": "company",
    "email": "forum@healthon.kr",
    "phone": "010-2345-6789",
    "privacy_consent": True,
}


def _fill_forum(page, name: str, email: str) -> None:
    page.fill("#attendee_name", name)
    page.fill("#organisation", "헬스온 주식회사")
    page.fill("#job_title", "책임연구원")
    page.select_option("#sector", "company")
    page.fill("#email", email)
    page.fill("#phone", "010-2345-6789")
    page.check("#sessions-1")
    page.check("#privacy_consent-0")


@SIZES
def test_policy_forum_last_place_waiting_list_promotion_and_certificate(live_app, page_at, clock, size):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 10:00 in Seoul, registration open
    crowd = _someone(workflow, "crowd@test.kr")
    for number in range(119):  # every place but one is taken
        created = workflow.create("policy-forum", crowd, {**FORUM_FORM, "attendee_name": f"참가자{number}"})
        assert workflow.fire(created.application_id, "register", crowd).state == "registered"

    # the applicant takes the last place ----------------------------------------------------------
    camera = _camera(app, people, "policy-forum", size)
    page = _page(page_at, size)
    _login(page, base, "applicant@test.kr")
    page.goto(f"{base}/programs/policy-forum")
    assert "정원 120명" in page.content()
    camera.shot(page, "announcement")
    first = _start(page, base, "policy-forum")
    _fill_forum(page, "한신청", "applicant@healthon.kr")
    camera.shot(page, "registration-form")
    page.get_by_role("button", name="등록", exact=True).click()
    page.wait_for_url(re.compile(rf"/applications/{first}$"))
    assert "등록 완료" in page.content()
    camera.shot(page, "registered")

    # a second person, reading in English, is put on the waiting list ---------------------------------
    late = _page(page_at, size, "en")
    _login(late, base, "other@test.kr")
    late.get_by_role("button", name="English").click()
    late.wait_for_load_state()
    second = _start_en(late, base)
    _fill_forum(late, "Jamie Park", "jamie@example.com")
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
    officer = _page(page_at, size)
    _login(officer, base, "officer@test.kr")
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
    pdf = late.request.get(_letter_link(late, base))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    if camera.enabled:
        (camera.folder / "certificate.pdf").write_bytes(pdf.body())


def _start_en(page, base) -> int:
    page.goto(f"{base}/programs/policy-forum")
    page.get_by_role("button", name=re.compile("Start")).first.click()
    page.wait_for_url(re.compile(r"/applications/\d+/form"))
    return int(re.search(r"/applications/(\d+)/form", page.url).group(1))


def _stored_pdf(app) -> dict:
    from workflow.storage import file_store_for

    with app.app_context():
        return file_store_for(app).save(PDF, "roster.pdf", accept=("pdf",))


def _letter_link(page, base) -> str:
    href = page.locator("a[href*='letter']").first.get_attribute("href")
    return href if href.startswith("http") else base + href


@SIZES
def test_investment_incentive_formula_instalments_and_pro_rata_recovery(
    live_app, page_at, clock, tmp_path, size
):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    pdf = tmp_path / "evidence.pdf"
    pdf.write_bytes(PDF)
    camera = _camera(app, people, "investment-incentive", size)

    # the company applies after the investment, with its evidence ------------------------------------
    page = _page(page_at, size)
    _login(page, base, "applicant@test.kr")
    page.goto(f"{base}/programs/investment-incentive")
    camera.shot(page, "announcement")
    app_id = _start(page, base, "investment-incentive")
    for name, value in {
        "company_name": "메디웨어 주식회사",
        "business_no": "214-86-55010",
        "representative": "오투자",
        "contact_email": "invest@mediware.kr",
        "contact_phone": "033-742-1100",
        "employees": "48",
        "site_address": "강원특별자치도 원주시 문막읍 동화공단로 100",
        "investment_completed_on": "2026-03-31",
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
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    assert "접수 완료 · 서류 검토 중" in page.content()
    camera.shot(page, "submitted")

    # the officer visits the site, records what was verified and decides: the formula gives the amount --
    officer = _page(page_at, size)
    _login(officer, base, "officer@test.kr")
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
    finance = people.finance
    assert workflow.fire(app_id, "pay_first_instalment", finance).ok
    assert workflow.fire(app_id, "confirm_operation", people.officer).ok
    clock.advance(days=30)
    assert workflow.fire(app_id, "pay_second_instalment", finance).ok
    for year, kept in ((1, 30), (2, 12)):  # year 1 kept, year 2 broken
        clock.advance(days=365)
        assert workflow.fire(app_id, "request_report", people.system).state == f"report_due_{year}"
        report = {
            "employees_now": 40,
            "jobs_kept": kept,
            "site_operating": True,
            "roster_file": _stored_pdf(app),
        }
        assert workflow.save_draft(app_id, people.applicant, report).ok
        assert workflow.fire(app_id, "submit_report", people.applicant).ok
        if year == 1:
            assert workflow.fire(app_id, "approve_report", people.officer).ok
    _login(officer, base, "officer@test.kr")  # two years later: the sessions have expired
    _login(page, base, "applicant@test.kr")
    officer.goto(f"{base}/officer/applications/{app_id}")
    camera.shot(officer, "officer-report-review")
    officer.fill("#reason-find_breach", "신규고용 30명 중 12명만 유지되어 고용 유지 의무를 위반함")
    camera.shot(officer, "officer-breach")
    officer.get_by_role("button", name="의무 위반 환수 결정").click()
    officer.wait_for_load_state()
    assert "환수 진행" in officer.content()
    assert workflow.fire(app_id, "record_recovery", finance).ok
    with workflow.db.connect() as connection:
        award = connection.execute(select(Award).where(Award.application_id == app_id)).mappings().one()
    assert award["recovered"] == 1_040_000_000  # two of the three years not kept: 2/3 of what was paid
    assert award["interest"] > 0
    page.goto(f"{base}/applications/{app_id}")
    assert "환수 완료" in page.content()
    camera.shot(page, "recovered-status")
    page.goto(f"{base}/notices/")
    camera.shot(page, "recovery-notice")


def _reviewed_and_selected(workflow, people, app_id, scores):
    from workflow.services import reviews

    assert workflow.fire(app_id, "pass_screening", people.officer).ok
    for reviewer in people.reviewers[:3]:
        assert reviews.assign(workflow, app_id, reviewer.id, people.officer).ok
        assert reviews.declare(workflow, app_id, reviewer, "none").ok
        assert reviews.submit(workflow, app_id, reviewer, scores).ok
    assert workflow.fire(app_id, "select", people.officer).state == "selected"


def _fill(page, values: dict) -> None:
    for name, value in values.items():
        page.fill(f"#{name}", value)


@SIZES
def test_company_voucher_share_first_supplier_settlement_and_partial_payment(
    live_app, page_at, clock, tmp_path, size
):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    clock.now = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)  # the second call is open
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(PDF)
    camera = _camera(app, people, "company-voucher", size)

    page = _page(page_at, size)
    _login(page, base, "applicant@test.kr")
    page.goto(f"{base}/programs/company-voucher")
    camera.shot(page, "announcement")
    app_id = _start(page, base, "company-voucher")
    _fill(
        page,
        {
            "company_name": "헬스온 주식회사",
            "business_no": "123-45-67890",
            "representative": "한대표",
            "contact_email": "ceo@healthon.kr",
            "contact_phone": "010-1234-5678",
            "employees": "12",
            "needs": "수면 관리 앱의 사용자 경험과 브랜드 디자인을 개선하여 병원 납품을 준비합니다.",
            "total_cost": "25,000,000",
            "requested_amount": "17,500,000",
        },
    )
    page.select_option("#voucher_type", "design")
    page.set_input_files("#business_plan", str(pdf))
    page.get_by_role("button", name="제출", exact=True).click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    camera.shot(page, "submitted")
    _reviewed_and_selected(workflow, people, app_id, {"necessity": 34, "plan": 24, "effect": 22})

    # the agreement, then the company's own share before anything else --------------------------------
    page.goto(f"{base}/applications/{app_id}")
    page.get_by_role("link", name="협약 정보 입력·서명").click()
    page.fill("#signatory", "한대표")
    page.check("#accept_terms-0")
    page.get_by_role("button", name="협약 서명").click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    assert "기업부담금 입금 대기" in page.content()
    camera.shot(page, "share-due")
    page.get_by_role("link", name="기업부담금 입금 내역 입력").click()
    _fill(page, {"deposit_amount": "7,500,000", "deposit_date": "2026-11-12"})
    page.set_input_files("#deposit_receipt", str(pdf))
    page.get_by_role("button", name="입금 내역 제출").click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))

    finance = _page(page_at, size)
    _login(finance, base, "finance@test.kr")
    finance.goto(f"{base}/officer/applications/{app_id}")
    camera.shot(finance, "finance-share-check")
    finance.get_by_role("button", name="입금 확인").click()
    finance.wait_for_load_state()
    assert "공급기업 선정" in finance.content()

    # a registered supplier, the officer's check, delivery and the settlement report -------------------
    page.goto(f"{base}/applications/{app_id}")
    page.get_by_role("link", name="공급기업 선정·계약 내용 입력").click()
    page.select_option("#supplier", "gw_design_lab")
    page.fill("#contract_amount", "25,000,000")
    page.set_input_files("#contract_file", str(pdf))
    camera.shot(page, "supplier")
    page.get_by_role("button", name="공급기업 선정 제출").click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    assert workflow.fire(app_id, "approve_supplier", people.officer).ok
    page.goto(f"{base}/applications/{app_id}")
    page.get_by_role("link", name="정산보고서 작성·제출").click()
    _fill(
        page,
        {
            "spent_total": "22,000,000",
            "settlement_summary": "앱 사용자 경험 개선안과 브랜드 가이드를 납품받았습니다.",
        },
    )
    page.set_input_files("#receipts", str(pdf))
    page.set_input_files("#deliverables", str(pdf))
    page.get_by_role("button", name="정산보고서 제출").click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    camera.shot(page, "settlement-submitted")

    officer = _page(page_at, size)
    _login(officer, base, "officer@test.kr")
    officer.goto(f"{base}/officer/applications/{app_id}")
    officer.fill("#f-approve_settlement-approved_total", "21,000,000")
    camera.shot(officer, "officer-settlement")
    officer.get_by_role("button", name="정산 승인").click()
    officer.wait_for_load_state()
    assert "정산 승인 · 지급 대기" in officer.content()

    # finance pays 70% of what was approved; the rest of the award goes back to the budget ----------------
    finance.goto(f"{base}/officer/applications/{app_id}")
    finance.get_by_role("button", name="공급기업 지급").click()
    finance.wait_for_load_state()
    assert "지급 완료 · 종료" in finance.content()
    camera.shot(finance, "finance-paid")
    with workflow.db.connect() as connection:
        award = connection.execute(select(Award).where(Award.application_id == app_id)).mappings().one()
    assert (award["amount"], award["paid"], award["released"]) == (17_500_000, 14_700_000, 2_800_000)
    page.goto(f"{base}/applications/{app_id}")
    assert "14,700,000원" in page.content()
    camera.shot(page, "applicant-paid")


@SIZES
def test_global_cooperation_partner_in_english_and_a_claim_in_euros(live_app, page_at, clock, tmp_path, size):
    from workflow.engine.members import add_member

    app, people, base = live_app
    workflow = app.extensions["workflow"]
    clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    pdf = tmp_path / "loi.pdf"
    pdf.write_bytes(PDF)
    camera = _camera(app, people, "global-cooperation", size)

    page = _page(page_at, size)
    _login(page, base, "applicant@test.kr")
    app_id = _start(page, base, "global-cooperation")
    _fill(
        page,
        {
            "project_title": "심부전 환자 원격 모니터링 알고리즘 국제공동연구",
            "lead_organisation": "헬스온 주식회사",
            "business_no": "123-45-67890",
            "lead_researcher": "한신청",
            "contact_email": "research@healthon.kr",
            "requested_amount": "80,000,000",
        },
    )
    page.select_option("#project_type", "joint_research")
    page.get_by_role("button", name="저장", exact=True).click()
    page.wait_for_load_state()
    # the foreign partner joins as co-applicant and completes their part in English
    assert add_member(workflow, app_id, people.applicant, "other@test.kr").ok
    partner = _page(page_at, size, "en")
    _login(partner, base, "other@test.kr")
    partner.get_by_role("button", name="English").click()
    partner.wait_for_load_state()
    partner.goto(f"{base}/applications/{app_id}/form")
    assert "Foreign partner institution" in partner.content()
    _fill(
        partner,
        {
            "partner_institution": "University of Oulu",
            "partner_researcher": "Prof. Aino Virtanen",
            "summary": "Early warning of heart-failure decompensation from wearable ECG patches, validated in Oulu and Wonju.",
        },
    )
    partner.select_option("#partner_country", "fi")
    partner.set_input_files("#partner_letter", str(pdf))
    camera.shot(partner, "partner-form-english")
    partner.get_by_role("button", name="Save", exact=True).click()
    partner.wait_for_load_state()

    page.goto(f"{base}/applications/{app_id}/form")
    assert page.input_value("#partner_institution") == "University of Oulu"
    page.get_by_role("button", name="제출", exact=True).click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    camera.shot(page, "submitted")
    _reviewed_and_selected(workflow, people, app_id, {"excellence": 34, "partnership": 26, "impact": 24})
    agreement = {
        "bank_name": "신한은행",
        "bank_account": "100-123-456789",
        "signatory": "한신청",
        "accept_terms": True,
    }
    assert workflow.save_draft(app_id, people.applicant, agreement).ok
    assert workflow.fire(app_id, "sign_agreement", people.applicant).state == "in_progress"

    # the partner claims travel costs in euros --------------------------------------------------------
    partner.goto(f"{base}/applications/{app_id}")
    partner.get_by_role("link", name="Write an expense claim").click()
    partner.fill("#claim_description", "Air fares to the Wonju workshop (2 people)")
    partner.select_option("#claim_currency", "EUR")
    partner.fill("#claim_amount", "2,480.60")
    partner.fill("#claim_date", "2026-11-18")
    partner.set_input_files("#claim_receipts", str(pdf))
    camera.shot(partner, "claim-in-euros")
    partner.get_by_role("button", name="Submit the claim").click()
    partner.wait_for_url(re.compile(rf"/applications/{app_id}$"))
    camera.shot(partner, "claim-submitted-english")

    # finance records the rate of the claim's day and pays it in won -----------------------------------
    finance = _page(page_at, size)
    _login(finance, base, "finance@test.kr")
    finance.goto(f"{base}/officer/applications/{app_id}")
    finance.get_by_role("button", name="청구액 지급").click()
    finance.wait_for_load_state()
    assert "EUR" in finance.content()  # refused: no EUR rate for 2026-11-18 yet
    camera.shot(finance, "no-rate-yet")
    with workflow.db.begin() as connection:
        from workflow.money.fx import record_rate

        record_rate(
            connection, "EUR", "1502.75", date(2026, 11, 18), people.admin.id, "매매기준율", clock.now
        )
    finance.goto(f"{base}/officer/applications/{app_id}")
    finance.get_by_role("button", name="청구액 지급").click()
    finance.wait_for_load_state()
    assert "과제 수행 중" in finance.content()
    camera.shot(finance, "claim-paid")
    with workflow.db.connect() as connection:
        award = connection.execute(select(Award).where(Award.application_id == app_id)).mappings().one()
    assert award["paid"] == 3_727_722  # EUR 2,480.60 × 1,502.75 = 3,727,721.65 → 3,727,722원
    partner.goto(f"{base}/notices/")
    camera.shot(partner, "payment-notice-english")


@SIZES
def test_industry_academia_both_confirm_and_a_change_asks_again(live_app, page_at, clock, tmp_path, size):
    from workflow.engine.members import add_member

    app, people, base = live_app
    workflow = app.extensions["workflow"]
    clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    pdf = tmp_path / "commitment.pdf"
    pdf.write_bytes(PDF)
    camera = _camera(app, people, "industry-academia", size)

    page = _page(page_at, size)
    _login(page, base, "applicant@test.kr")
    page.goto(f"{base}/programs/industry-academia")
    camera.shot(page, "announcement")
    app_id = _start(page, base, "industry-academia")
    _fill(
        page,
        {
            "project_title": "수면무호흡 선별용 웨어러블 센서 알고리즘 공동개발",
            "company_name": "헬스온 주식회사",
            "business_no": "123-45-67890",
            "company_lead": "한신청",
            "university": "강원대학교 산학협력단",
            "university_lead": "윤교수",
            "summary": "헬스온은 센서와 앱을, 강원대학교는 판별 알고리즘과 임상 검증을 맡습니다.",
            "company_share": "84,000,000",
            "university_share": "36,000,000",
        },
    )
    page.set_input_files("#commitment_letter", str(pdf))
    page.get_by_role("button", name="저장", exact=True).click()
    page.wait_for_load_state()
    assert add_member(workflow, app_id, people.applicant, "other@test.kr").ok  # the university's researcher

    # the company confirms first -------------------------------------------------------------------------
    page.goto(f"{base}/applications/{app_id}/form")
    page.get_by_role("button", name=re.compile("최종본 확인·제출")).click()
    page.wait_for_load_state()
    assert "작성 중" in page.content()
    camera.shot(page, "company-confirmed")

    # the university changes the budget split: the company's confirmation no longer counts -------------
    partner = _page(page_at, size)
    _login(partner, base, "other@test.kr")
    partner.goto(f"{base}/applications/{app_id}/form")
    partner.fill("#company_share", "80,000,000")
    partner.fill("#university_share", "40,000,000")
    partner.get_by_role("button", name="저장", exact=True).click()
    partner.wait_for_load_state()
    partner.goto(f"{base}/applications/{app_id}/form")
    partner.get_by_role("button", name=re.compile("최종본 확인·제출")).click()
    partner.wait_for_load_state()
    assert "승인 차례" in partner.content()  # the company's turn again: its confirmation was of the old text
    camera.shot(partner, "university-asked-to-wait")

    # the company confirms the changed text, then the university: submitted -----------------------------
    page.goto(f"{base}/applications/{app_id}/form")
    page.get_by_role("button", name=re.compile("최종본 확인·제출")).click()
    page.wait_for_load_state()
    partner.goto(f"{base}/applications/{app_id}/form")
    partner.get_by_role("button", name=re.compile("최종본 확인·제출")).click()
    partner.wait_for_load_state()
    assert "접수 완료 · 검토 중" in partner.content()
    camera.shot(partner, "submitted")

    officer = _page(page_at, size)
    _login(officer, base, "officer@test.kr")
    officer.goto(f"{base}/officer/applications/{app_id}")
    assert "40,000,000원" in officer.content()
    camera.shot(officer, "officer-sees-shares")
