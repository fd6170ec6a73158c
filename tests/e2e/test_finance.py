"""In Chromium: the finance officer pays tranche 1 from the award page; the applicant then sees the
payment on their status page (the new step, the payment in the history) and the payment letter."""

from __future__ import annotations

import re

from tests.e2e.conftest import Camera
from tests.factories import AGREEMENT, reviewed_startup
from tests.web.conftest import PASSWORD
from workflow.services.files import FileStore


def _login(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=re.compile("^(로그인|Sign in)$")).click()
    page.wait_for_load_state()


def test_finance_pays_tranche_one_and_the_applicant_sees_it(live_app, new_page, tmp_path):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, FileStore(tmp_path / "files"))
    assert workflow.fire(app_id, "select", people.officer).ok
    assert workflow.fire(app_id, "sign_agreement", people.applicant, data=AGREEMENT).ok

    camera = Camera("finance")
    page = new_page()
    _login(page, base, "finance@test.kr")
    page.goto(f"{base}/finance/")
    camera.shot(page, "budgets")
    page.get_by_role("link", name="디지털헬스케어 창업지원").first.click()
    page.wait_for_url(re.compile("/finance/programs/startup-support"))
    camera.shot(page, "program")
    page.get_by_role("link", name=f"#{app_id}").click()
    page.wait_for_url(re.compile(f"/finance/awards/{app_id}"))
    camera.shot(page, "award-before")
    page.get_by_role("link", name="다음 분할금 지급").click()
    page.wait_for_url(re.compile(f"/finance/awards/{app_id}/pay"))
    assert page.get_by_text("301-1234-5678").is_visible()  # the account from the rule file's key field
    page.fill("#reference", "NH-20260504-001")
    camera.shot(page, "pay-confirm")
    page.get_by_role("button", name="분할금 지급").click()
    page.wait_for_url(re.compile(f"/finance/awards/{app_id}$"))
    assert page.get_by_text("분할금을 지급했습니다.").is_visible()
    assert page.get_by_role("cell", name="2026-05-04 10:00 KST").first.is_visible()
    camera.shot(page, "award-paid")
    page.goto(f"{base}/finance/rates")  # a global setting: finance of some programs reads it
    assert (
        page.get_by_text("환율은 모든 사업에 적용되므로").is_visible()
        and page.locator("#currency").count() == 0
    )
    admin = new_page()
    _login(admin, base, "admin@test.kr")
    admin.goto(f"{base}/finance/rates")
    admin.fill("#currency", "USD")
    admin.fill("#rate", "1385.20")
    admin.get_by_role("button", name="환율 기록").click()
    admin.wait_for_load_state()
    assert admin.get_by_role("cell", name="1,385.20").is_visible()
    camera.shot(admin, "rates")

    applicant = new_page()
    _login(applicant, base, "applicant@test.kr")
    applicant.goto(f"{base}/applications/{app_id}")
    camera.shot(applicant, "applicant-status")
    assert applicant.get_by_text("수행 중").first.is_visible()  # the step after tranche 1 is paid
    assert applicant.get_by_text("1차 지급").first.is_visible()  # in the history, paid by finance
    assert applicant.get_by_role("link", name=re.compile("지원금 지급 안내")).is_visible()  # the letter
