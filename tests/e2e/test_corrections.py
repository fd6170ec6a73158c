"""The officer corrects a submitted application in Chromium, at 1366×900 and on a 390×844 phone, in Korean and
English: the button on the application page, the correction form with its required reason, and the
correction's before → after on the timeline. No horizontal scrolling; axe-core finds nothing serious."""

from __future__ import annotations

import re

import pytest

from tests.conftest import FIXTURES, rules_folder
from tests.e2e.conftest import SIZE_AND_LANGUAGE, SIZES, Camera, served
from tests.web.conftest import PASSWORD, make_app, people_with_passwords

TEXT = {
    "ko": {"open": "“신청서” 정정", "save": "정정 저장", "change": "신청액(원): 20,000,000원 → 15,000,000원"},
    "en": {"open": "Correct “Application”", "save": "Save the correction", "change": "15,000,000"},
}


@pytest.fixture
def correcting_app(sqlite_engine, clock, tmp_path):
    rules = rules_folder(tmp_path, FIXTURES / "capabilities" / "corrected-grant.yaml")
    app = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))
    people = people_with_passwords(app, rules)
    with served(app) as base:
        yield app, people, base


def _fits(page, size: str, name: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"{name}: {width}px wide at {size}"


@SIZE_AND_LANGUAGE
def test_the_officer_corrects_an_application(correcting_app, browser, size, lang):
    app, people, base = correcting_app
    workflow = app.extensions["workflow"]
    data = {"company_name": "하늘바이오", "requested_amount": 20_000_000, "contact_email": "a@sky.kr"}
    app_id = workflow.create("corrected-grant", people.applicant, data).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    phone = size == "phone"
    context = browser.new_context(
        viewport=SIZES[size], is_mobile=phone, has_touch=phone, bypass_csp=True, locale=lang
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    camera = Camera(f"corrections-{size}-{lang}")
    words = TEXT[lang]
    try:
        page.goto(f"{base}/login")
        page.fill("#email", "officer@test.kr")
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name=re.compile("^(로그인|Sign in)$")).click()
        page.wait_for_load_state()
        if lang == "en":
            page.get_by_role("button", name="English").click()
            page.wait_for_load_state()
        page.goto(f"{base}/officer/applications/{app_id}")
        page.get_by_role("link", name=words["open"]).click()
        page.wait_for_load_state()
        _fits(page, size, "form")
        camera.shot(page, "form")
        page.locator("#requested_amount").fill("15,000,000")
        page.get_by_role("button", name=words["save"]).click()
        page.wait_for_load_state()
        assert page.locator("#reason").get_attribute("required") is not None  # the browser asks first
        page.fill("#reason", "신청액 계산 오류")
        page.get_by_role("button", name=words["save"]).click()
        page.wait_for_url(f"{base}/officer/applications/{app_id}")
        assert words["change"] in page.content()
        _fits(page, size, "timeline")
        camera.shot(page, "timeline")
    finally:
        context.close()
