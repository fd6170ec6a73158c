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
def test_the_board_rows_open_the_application(live_app, page_at, tmp_path, size):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    store = FileStore(tmp_path / "uploads")
    ranked = reviewed_startup(workflow, people, store)
    submitted_startup(workflow, people, store, company_name="강원메디")
    page = page_at(size)
    camera = Camera(f"board-{size}")
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


@pytest.mark.parametrize("size", SIZES)
def test_tick_all_is_there_at_every_size(live_app, page_at, tmp_path, size):
    """The table's head (with its "tick all" box) is hidden when the rows become cards on a phone: the
    bulk bar then shows one, and either box ticks every row of the page and the other box."""
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    store = FileStore(tmp_path / "uploads")
    ids = [submitted_startup(workflow, people, store, company_name=f"강원메디 {n}") for n in range(3)]
    page = page_at(size)
    camera = Camera(f"board-tick-all-{size}")
    _login(page, base, "officer@test.kr")
    page.goto(f"{base}/officer/programs/startup-support?state=screening")
    boxes = page.locator("[data-select-all]")
    # one a finger can reach: a tap on its middle lands on it (the table's head is clipped on a phone)
    tappable = """box => {
        box.scrollIntoView({block: "center"});
        const r = box.getBoundingClientRect();
        return r.width > 0 && document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === box;
    }"""
    visible = [i for i in range(boxes.count()) if boxes.nth(i).evaluate(tappable)]
    assert len(visible) == 1, f"{len(visible)} visible 'tick all' boxes at {size}"
    boxes.nth(visible[0]).check()
    camera.shot(page, "ticked")
    for app_id in ids:
        assert page.locator(f"input[name=application_id][value='{app_id}']").is_checked()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= SIZES[size]["width"]
