"""The autosave copy kept in the browser (localStorage) belongs to one user: it is cleared on sign-out,
removed when someone else signs in on the same browser, and still restored for its own user after the
session expired (the reason it exists), once its user chose it over the saved entries."""

from __future__ import annotations

import re

from tests.e2e.conftest import autosave_failed
from tests.web.conftest import PASSWORD


def _login(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=re.compile("^(로그인|Sign in)$")).click()
    page.wait_for_load_state()


def _drafts(page) -> dict:
    return page.evaluate(
        "() => Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('draft'))"
        ".map(k => [k, localStorage.getItem(k)]))"
    )


def _unsent_copy(page, base, app_id: int, text: str) -> None:
    """Type into the form while the server cannot be reached, so the copy stays in the browser."""
    page.route("**/autosave", lambda route: route.abort())
    page.goto(f"{base}/applications/{app_id}/form")
    page.fill("#company_name", text)
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('draft'))")
    autosave_failed(page)
    page.unroute("**/autosave")


def test_the_autosave_copy_is_cleared_on_sign_out(live_app, new_page):
    app, people, base = live_app
    app_id = app.extensions["workflow"].create("startup-support", people.applicant, {}).application_id
    page = new_page()
    _login(page, base, "applicant@test.kr")
    _unsent_copy(page, base, app_id, "보내지 못한 입력")
    [key] = _drafts(page)
    assert "보내지 못한 입력" in _drafts(page)[key]
    page.get_by_role("button", name="로그아웃").click()
    page.wait_for_load_state()
    assert _drafts(page) == {}


def test_the_copy_is_kept_for_its_user_only(live_app, new_page):
    app, people, base = live_app
    app_id = app.extensions["workflow"].create("startup-support", people.applicant, {}).application_id
    page = new_page()
    _login(page, base, "applicant@test.kr")
    _unsent_copy(page, base, app_id, "만료 전 입력")
    page.context.clear_cookies()  # the session expires; the copy stays for the same person

    _login(page, base, "applicant@test.kr")
    page.goto(f"{base}/applications/{app_id}/form")
    page.get_by_role("button", name="이 브라우저의 입력 사용").click()  # it differs from the saved entries
    assert page.input_value("#company_name") == "만료 전 입력"  # restored, then sent

    _unsent_copy(page, base, app_id, "다른 사람이 보면 안 됨")
    page.context.clear_cookies()
    _login(page, base, "other@test.kr")  # someone else on the same browser
    page.goto(f"{base}/my")
    assert _drafts(page) == {}
