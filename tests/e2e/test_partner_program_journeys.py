"""Program journeys in a real Chromium (applicant and staff), with an axe-core check, no sideways scrolling and
no internal key at every step: the company voucher, global cooperation and industry–academia
(test-output/e2e/<program>/)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.e2e.program_steps import (
    AT_A_DESK,
    ON_A_PHONE,
    camera_for,
    fill,
    page_for,
    press,
    reviewed_and_selected,
    sign_in,
    start_application,
    upload,
)
from tests.factories import PDF
from workflow.models import Award


@AT_A_DESK
def test_company_voucher_share_first_supplier_settlement_and_partial_payment(
    live_app, page_at, clock, tmp_path, size
):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    clock.now = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)  # the second call is open
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(PDF)
    camera = camera_for(app, people, "company-voucher", size)

    page = page_for(page_at, size)
    sign_in(page, base, "applicant@test.kr")
    page.goto(f"{base}/programs/company-voucher")
    camera.shot(page, "announcement")
    app_id = start_application(page, base, "company-voucher")
    fill(
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
    reviewed_and_selected(workflow, people, app_id, {"necessity": 34, "plan": 24, "effect": 22})

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
    fill(page, {"deposit_amount": "7,500,000", "deposit_date": "2026-11-12"})
    page.set_input_files("#deposit_receipt", str(pdf))
    page.get_by_role("button", name="입금 내역 제출").click()
    page.wait_for_url(re.compile(rf"/applications/{app_id}$"))

    finance = page_for(page_at, size)
    sign_in(finance, base, "finance@test.kr")
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
    officer = page_for(page_at, size)
    sign_in(officer, base, "officer@test.kr")
    officer.goto(f"{base}/officer/applications/{app_id}")
    assert "gw_design_lab" not in officer.content() and "(주)강원디자인랩" in officer.content()
    camera.shot(officer, "officer-supplier-check")
    officer.get_by_role("button", name="계약 승인").click()
    officer.wait_for_load_state()
    assert "용역 수행 중" in officer.content()
    page.goto(f"{base}/applications/{app_id}")
    page.get_by_role("link", name="정산보고서 작성·제출").click()
    fill(
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
    page.goto(f"{base}/notices/")
    assert "바우처 정산금 지급 안내" in page.content()  # the voucher's own text: paid to the supplier
    camera.shot(page, "payment-notice")


@ON_A_PHONE
def test_global_cooperation_partner_in_english_and_a_claim_in_euros(live_app, page_at, clock, tmp_path, size):
    from workflow.engine.members import add_member

    app, people, base = live_app
    workflow = app.extensions["workflow"]
    clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    pdf = tmp_path / "loi.pdf"
    pdf.write_bytes(PDF)
    camera = camera_for(app, people, "global-cooperation", size)

    page = page_for(page_at, size)
    sign_in(page, base, "applicant@test.kr")
    app_id = start_application(page, base, "global-cooperation")
    fill(
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
    partner = page_for(page_at, size, "en")
    sign_in(partner, base, "other@test.kr")
    partner.get_by_role("button", name="English").click()
    partner.wait_for_load_state()
    partner.goto(f"{base}/applications/{app_id}/form")
    assert "Foreign partner institution" in partner.content()
    fill(
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
    reviewed_and_selected(workflow, people, app_id, {"excellence": 34, "partnership": 26, "impact": 24})
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
    finance = page_for(page_at, size)
    sign_in(finance, base, "finance@test.kr")
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

    # the lead submits the results report; the officer closes and what was not claimed goes back ----------
    page.goto(f"{base}/applications/{app_id}")
    page.get_by_role("link", name="결과보고서 작성").click()
    fill(
        page,
        {
            "results_summary": "오울루대학교와 공동으로 심부전 악화 조기경보 알고리즘을 검증하고 논문 1편을 투고했습니다.",
            "papers": "1",
            "patents": "1",
        },
    )
    upload(page, "results_file", pdf)
    press(page, "결과보고서 제출")
    assert "결과보고 검토" in page.content()
    officer = page_for(page_at, size)
    sign_in(officer, base, "officer@test.kr")
    officer.goto(f"{base}/officer/applications/{app_id}")
    camera.shot(officer, "officer-results")
    officer.get_by_role("button", name="과제 종료").click()
    officer.wait_for_load_state()
    assert "과제 종료" in officer.content()
    with workflow.db.connect() as connection:
        award = connection.execute(select(Award).where(Award.application_id == app_id)).mappings().one()
    assert (award["paid"], award["released"]) == (3_727_722, 80_000_000 - 3_727_722)
    partner.goto(f"{base}/applications/{app_id}")
    assert "Closed" in partner.content()
    camera.shot(partner, "closed-english")


@AT_A_DESK
def test_industry_academia_both_confirm_and_a_change_asks_again(live_app, page_at, clock, tmp_path, size):
    from workflow.engine.members import add_member

    app, people, base = live_app
    workflow = app.extensions["workflow"]
    clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    pdf = tmp_path / "commitment.pdf"
    pdf.write_bytes(PDF)
    camera = camera_for(app, people, "industry-academia", size)

    page = page_for(page_at, size)
    sign_in(page, base, "applicant@test.kr")
    page.goto(f"{base}/programs/industry-academia")
    camera.shot(page, "announcement")
    app_id = start_application(page, base, "industry-academia")
    fill(
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
    upload(page, "commitment_letter", pdf)
    press(page, "저장")
    assert add_member(workflow, app_id, people.applicant, "other@test.kr").ok  # the university's researcher

    # the company confirms first -------------------------------------------------------------------------
    page.goto(f"{base}/applications/{app_id}/form")
    press(page, re.compile("최종본 확인·제출"))
    assert "작성 중" in page.content()
    camera.shot(page, "company-confirmed")

    # the university changes the budget split: the company's confirmation no longer counts -------------
    partner = page_for(page_at, size)
    sign_in(partner, base, "other@test.kr")
    partner.goto(f"{base}/applications/{app_id}/form")
    partner.fill("#company_share", "80,000,000")
    partner.fill("#university_share", "40,000,000")
    press(partner, "저장")
    partner.goto(f"{base}/applications/{app_id}/form")
    press(partner, re.compile("최종본 확인·제출"))
    assert "지금은 신청인 차례" in partner.content()  # the company's turn again: it confirmed the old text
    camera.shot(partner, "university-asked-to-wait")

    # the company confirms the changed text, then the university: submitted -----------------------------
    page.goto(f"{base}/applications/{app_id}/form")
    press(page, re.compile("최종본 확인·제출"))
    partner.goto(f"{base}/applications/{app_id}/form")
    press(partner, re.compile("최종본 확인·제출"))
    assert "접수 완료 · 검토 중" in partner.content()
    camera.shot(partner, "submitted")

    officer = page_for(page_at, size)
    sign_in(officer, base, "officer@test.kr")
    officer.goto(f"{base}/officer/applications/{app_id}")
    assert "40,000,000원" in officer.content()
    camera.shot(officer, "officer-sees-shares")

    # selected; the lead signs and finance pays the first tranche ------------------------------------------
    scores = {"technology": 34, "collaboration": 26, "commercialisation": 24}
    reviewed_and_selected(workflow, people, app_id, scores)
    page.goto(f"{base}/applications/{app_id}")
    page.get_by_role("link", name="협약 정보 입력·서명").click()
    fill(page, {"bank_name": "농협은행", "bank_account": "351-1234-5678-93", "signatory": "한신청"})
    page.check("#accept_terms-0")
    press(page, "협약 서명")
    assert "1차 지급 대기" in page.content()
    finance = page_for(page_at, size)
    sign_in(finance, base, "finance@test.kr")
    finance.goto(f"{base}/officer/applications/{app_id}")
    finance.get_by_role("button", name="1차 지급").click()
    finance.wait_for_load_state()
    assert "과제 수행 중" in finance.content()

    # reports are the lead's: the university sees the project but no report form --------------------------
    partner.goto(f"{base}/applications/{app_id}")
    assert "과제 수행 중" in partner.content()
    assert partner.get_by_role("link", name="중간보고서 작성").count() == 0
    camera.shot(partner, "university-no-report")
    page.goto(f"{base}/applications/{app_id}")
    page.get_by_role("link", name="중간보고서 작성").click()
    page.fill(
        "#interim_summary", "헬스온은 센서 시제품 2종을, 강원대학교는 판별 알고리즘 1차 모델을 완성했습니다."
    )
    upload(page, "interim_file", pdf)
    press(page, "중간보고 제출")
    officer.goto(f"{base}/officer/applications/{app_id}")
    officer.get_by_role("button", name="중간보고 승인").click()
    officer.wait_for_load_state()
    finance.goto(f"{base}/officer/applications/{app_id}")
    finance.get_by_role("button", name="2차 지급").click()
    finance.wait_for_load_state()
    assert "최종보고 작성" in finance.content()
    page.goto(f"{base}/applications/{app_id}")
    page.get_by_role("link", name="최종보고서 작성").click()
    fill(
        page,
        {
            "final_summary": "수면무호흡 선별 정확도 92%를 확인했고, 센서와 알고리즘을 묶어 특허 1건을 출원했습니다.",
            "patents": "1",
        },
    )
    upload(page, "final_file", pdf)
    camera.shot(page, "final-report")
    press(page, "최종보고 제출")
    officer.goto(f"{base}/officer/applications/{app_id}")
    officer.get_by_role("button", name="과제 종료").click()
    officer.wait_for_load_state()
    assert "과제 종료" in officer.content()
    with workflow.db.connect() as connection:
        award = connection.execute(select(Award).where(Award.application_id == app_id)).mappings().one()
    assert (award["amount"], award["paid"]) == (120_000_000, 120_000_000)  # both shares, in two tranches
    partner.goto(f"{base}/applications/{app_id}")
    camera.shot(partner, "university-closed")
