"""The officer's board in Chromium, at desktop width and on a 390 px phone: clicking anywhere on a row
opens the application, the keyboard reaches each row's link, the page never scrolls sideways, and
axe-core finds nothing serious. `pytest --screenshots` keeps test-output/e2e/board-*/."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import SIZES, Camera
from tests.factories import reviewed_startup, submitted_startup
from tests.web.conftest import PASSWORD
from workflow.services.files import FileStore


def _login(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=re.compile("^(로그인|Sign in)$")).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("size", SIZES)
def test_the_board_rows_open_the_application(live_app, browser, tmp_path, size):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    store = FileStore(tmp_path / "uploads")
    ranked = reviewed_startup(workflow, people, store)
    submitted_startup(workflow, people, store, company_name="강원메디")
    phone = size == "phone"
    context = browser.new_context(
        viewport=SIZES[size], is_mobile=phone, has_touch=phone, bypass_csp=True, locale="ko"
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    camera = Camera(f"board-{size}")
    try:
        _login(page, base, "officer@test.kr")
        page.goto(f"{base}/officer/programs/startup-support")
        camera.shot(page, "board")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES[size]["width"]
        page.goto(f"{base}/officer/programs/startup-support?state=selection")
        camera.shot(page, "ranking")
        # a click on the score cell, not on the number's link, opens the application
        score = page.locator("table.board tbody tr").first.locator("td.num").nth(2)
        score.scroll_into_view_if_needed()
        box = score.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_url(f"**/officer/applications/{ranked}")
        page.goto(f"{base}/officer/programs/startup-support")
        page.locator("a.row-target").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/officer/applications/*")
    finally:
        context.close()
