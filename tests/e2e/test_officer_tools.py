"""The officer's tools in Chromium, at 1366×900 and on a 390×844 phone, in Korean and English: bulk
actions on the board (tick rows, one confirmation, the results per application), replacing a reviewer
who declared a conflict, and an internal note. Every page: no horizontal scrolling, axe-core finds
nothing serious or critical. `pytest --screenshots` keeps test-output/e2e/officer-tools-*/."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.e2e.conftest import SIZE_AND_LANGUAGE, SIZES, Camera
from tests.factories import submitted_startup
from tests.web.conftest import PASSWORD
from workflow.models import Application, ReviewAssignment
from workflow.services import reviews
from workflow.services.files import FileStore

TEXT = {
    "ko": {
        "review": "처리 전 확인",
        "do": re.compile(r"\d+건 처리하기"),
        "replace": "평가위원 교체",
        "note": "메모 추가",
    },
    "en": {
        "review": "Review before doing it",
        "do": re.compile(r"Do it for \d+ applications"),
        "replace": "Replace reviewer",
        "note": "Add note",
    },
}


def _login(page, base, email, lang):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=re.compile("^(로그인|Sign in)$")).click()
    page.wait_for_load_state()
    if lang == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()


def _fits(page, size: str, name: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"{name}: {width}px wide at {size}"


@SIZE_AND_LANGUAGE
def test_bulk_decision_and_reviewer_replacement(live_app, browser, tmp_path, size, lang):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    store = FileStore(tmp_path / "uploads")
    screened = [submitted_startup(workflow, people, store, company_name=f"강원메디 {n}") for n in range(3)]
    conflicted = submitted_startup(workflow, people, store, company_name="헬스온 주식회사")
    assert workflow.fire(conflicted, "pass_screening", people.officer).ok
    assert reviews.assign(workflow, conflicted, people.reviewer1.id, people.officer).ok
    reviews.accept_pledge(workflow, people.reviewer1)
    assert reviews.declare(workflow, conflicted, people.reviewer1, "recusal", "최근 3년 내 자문 계약").ok
    phone = size == "phone"
    context = browser.new_context(
        viewport=SIZES[size], is_mobile=phone, has_touch=phone, bypass_csp=True, locale=lang
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    camera = Camera(f"officer-tools-{size}-{lang}")
    words = TEXT[lang]
    try:
        _login(page, base, "officer@test.kr", lang)
        page.goto(f"{base}/officer/programs/startup-support?state=screening")
        for app_id in screened[:2]:
            page.locator(f"input[name=application_id][value='{app_id}']").check()
        page.select_option("#bulk-action", "decide:screening:pass")
        camera.shot(page, "board-ticked")
        _fits(page, size, "board")
        page.get_by_role("button", name=words["review"]).click()
        page.wait_for_load_state()
        camera.shot(page, "confirm")
        _fits(page, size, "confirm")
        assert page.locator("input[name=item]").count() == 2
        page.get_by_role("button", name=words["do"]).click()
        page.wait_for_load_state()
        camera.shot(page, "results")
        _fits(page, size, "results")
        assert page.locator(".result-ok").count() == 2
        # a reviewer who declared a conflict: replaced from the application page
        page.goto(f"{base}/officer/applications/{conflicted}")
        camera.shot(page, "conflict-declared")
        _fits(page, size, "application")
        page.select_option(f"#replace-{people.reviewer1.id}", str(people.reviewer2.id))
        page.get_by_role("button", name=words["replace"]).click()
        page.wait_for_load_state()
        page.fill("#note", "대표자 변경 여부 확인 후 심사 진행")
        page.get_by_role("button", name=words["note"]).click()
        page.wait_for_load_state()
        camera.shot(page, "replaced-and-noted")
        _fits(page, size, "application after")
        assert page.locator(".notes li").count() == 1
    finally:
        context.close()
    with workflow.db.connect() as connection:
        states = dict(
            connection.execute(
                select(Application.id, Application.state).where(Application.id.in_(screened))
            ).all()
        )
        seats = dict(
            connection.execute(
                select(ReviewAssignment.reviewer_id, ReviewAssignment.coi).where(
                    ReviewAssignment.application_id == conflicted
                )
            ).all()
        )
    assert [states[i] for i in screened] == ["pitch_review", "pitch_review", "screening"]
    assert seats == {people.reviewer1.id: "conflict", people.reviewer2.id: "pending"}
