"""The application form in a real browser: amounts grouped while typing and the stage total with its
shares following every keystroke, at desktop and phone sizes, in Korean and English."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import SIZE_AND_LANGUAGE, SIZES, Camera, autosave_failed, autosave_saved
from tests.e2e.conftest import login as _login
from tests.web.conftest import PASSWORD


def no_horizontal_overflow(page, width: int) -> None:
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide at {width}px"


def _form(live_app, new_page, lang: str, size: str):
    app, people, base = live_app
    app_id = app.extensions["workflow"].create("startup-support", people.applicant, {}).application_id
    page = new_page(lang)
    page.set_viewport_size(SIZES[size])
    _login(page, base, "applicant@test.kr", PASSWORD)
    if lang == "en":
        page.get_by_role("button", name="English").first.click()
        page.wait_for_load_state()
    page.goto(f"{base}/applications/{app_id}/form")
    return page, app_id


@SIZE_AND_LANGUAGE
def test_amounts_are_grouped_while_typing_and_the_total_follows(live_app, new_page, lang, size):
    page, _ = _form(live_app, new_page, lang, size)
    camera = Camera(f"amounts-{lang}-{size}")
    page.locator("#requested_amount").press_sequentially("45000000")
    assert page.input_value("#requested_amount") == "45,000,000"
    page.locator("#own_cash").press_sequentially("10000000")
    page.locator("#in_kind").press_sequentially("5000000")
    panel = page.locator("section.totals")
    total = "60,000,000원" if lang == "ko" else "KRW 60,000,000"
    assert panel.locator("[data-total-amount]").inner_text().replace("\u00a0", " ") == total
    grant, cash = panel.locator("li[data-share]").all()
    assert grant.locator("[data-share-percent]").inner_text() == "75%"
    assert cash.locator("[data-share-percent]").inner_text() == "16.7%"
    assert "ok" in grant.get_attribute("class") and "ok" in cash.get_attribute("class")
    no_horizontal_overflow(page, SIZES[size]["width"])
    camera.shot(page, "total-within-limits")

    page.fill("#requested_amount", "")
    page.locator("#requested_amount").press_sequentially("90000000")
    assert grant.locator("[data-share-percent]").inner_text() == "85.7%"
    assert "over" in grant.get_attribute("class")
    assert (
        grant.locator(".share-verdict")
        .inner_text()
        .endswith("기준 벗어남" if lang == "ko" else "outside the limit")
    )
    camera.shot(page, "grant-above-limit")


def test_a_separator_typed_in_the_middle_keeps_the_caret_and_odd_digits_stay_as_typed(live_app, new_page):
    page, _ = _form(live_app, new_page, "ko", "desktop")
    field = page.locator("#own_cash")
    field.press_sequentially("1000000")
    assert page.input_value("#own_cash") == "1,000,000"
    field.press("Home")
    field.press("ArrowRight")
    field.press_sequentially("2")  # 12,000,000: the caret stays after the digit typed
    assert page.input_value("#own_cash") == "12,000,000"
    assert page.evaluate("() => document.activeElement.selectionStart") == 2
    page.fill("#in_kind", "")
    page.locator("#in_kind").press_sequentially("١٢٣٤")
    assert page.input_value("#in_kind") == "١٢٣٤"  # left for the server to refuse with its message
    assert page.locator("section.totals [data-total-amount]").inner_text() == "—"


@SIZE_AND_LANGUAGE
def test_the_account_page_keeps_each_error_at_its_field(live_app, new_page, lang, size):
    _, _, base = live_app
    page = new_page(lang)
    page.set_viewport_size(SIZES[size])
    _login(page, base, "applicant@test.kr", PASSWORD)
    if lang == "en":
        page.get_by_role("button", name="English").first.click()
        page.wait_for_load_state()
    page.locator("a.who").click()
    page.wait_for_load_state()
    camera = Camera(f"account-{lang}-{size}")
    no_horizontal_overflow(page, SIZES[size]["width"])
    camera.shot(page, "account")
    page.fill("#phone", "12")
    page.fill("#name", "")
    page.get_by_role("button", name="내 정보 저장" if lang == "ko" else "Save my details").click()
    page.wait_for_load_state()
    assert page.get_attribute("#phone", "aria-invalid") == "true"
    assert page.get_attribute("#name", "aria-invalid") == "true"
    assert page.input_value("#phone") == "12"
    no_horizontal_overflow(page, SIZES[size]["width"])
    camera.shot(page, "account-errors")


@pytest.mark.parametrize("size", SIZES)
def test_a_refused_entry_survives_a_reload_and_a_differing_copy_is_the_users_choice(live_app, new_page, size):
    app, _, base = live_app
    page, app_id = _form(live_app, new_page, "ko", size)
    camera = Camera(f"nothing-lost-{size}")
    page.fill("#company_name", "헬스온")
    page.fill("#business_no", "12345")  # refused: kept as typed, marked
    autosave_saved(page)
    page.wait_for_selector("#business_no[aria-invalid=true]")
    page.reload()
    assert page.input_value("#business_no") == "12345"
    assert page.get_attribute("#business_no", "aria-invalid") == "true"
    assert page.locator("#business_no-kept").is_visible()
    no_horizontal_overflow(page, SIZES[size]["width"])
    camera.shot(page, "kept-after-reload")

    page.route("**/autosave", lambda route: route.abort())  # the connection drops while typing
    page.fill("#company_name", "헬스온 주식회사")
    page.wait_for_function(
        "() => (localStorage.getItem(Object.keys(localStorage)[0]) || '').includes('주식회사')"
    )
    autosave_failed(page)  # unrouting before the aborted request is out would let it through
    page.unroute("**/autosave")
    page.reload()
    choice = page.locator("#draft-choice")
    assert (
        choice.is_visible() and "헬스온 주식회사" in choice.inner_text() and "기업명" in choice.inner_text()
    )
    assert page.input_value("#company_name") == "헬스온"  # nothing applied before the choice
    no_horizontal_overflow(page, SIZES[size]["width"])
    camera.shot(page, "choice")
    page.evaluate("() => { document.getElementById('autosave-status').textContent = ''; }")
    page.get_by_role("button", name="이 브라우저의 입력 사용").click()
    autosave_saved(page)
    assert page.input_value("#company_name") == "헬스온 주식회사" and choice.is_hidden()
    with app.extensions["workflow"].db.connect() as connection:
        from workflow.engine import records

        assert records.read_application(connection, app_id).data["company_name"] == "헬스온 주식회사"


def test_keeping_the_saved_entries_forgets_the_browser_copy(live_app, new_page):
    page, _ = _form(live_app, new_page, "en", "desktop")
    page.route("**/autosave", lambda route: route.abort())
    page.fill("#company_name", "typed offline")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('draft'))")
    autosave_failed(page)
    page.unroute("**/autosave")
    page.reload()
    page.get_by_role("button", name="Keep the saved entries").click()
    assert page.input_value("#company_name") == ""
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('draft')).length") == 0


def test_a_chosen_file_is_uploaded_listed_and_a_too_big_one_refused(live_app, new_page, tmp_path):
    from tests.factories import PDF

    page, _ = _form(live_app, new_page, "ko", "phone")
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(PDF)
    page.set_input_files("#business_plan", str(plan))
    listed = page.locator("[data-uploaded=business_plan] .file-name")
    listed.wait_for()
    assert "plan.pdf" in listed.inner_text()
    page.reload()
    assert "plan.pdf" in page.locator("[data-uploaded=business_plan]").inner_text()
    assert page.get_by_role("button", name="삭제").is_visible()
    no_horizontal_overflow(page, 390)
    Camera("upload-phone").shot(page, "uploaded")
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF + b"0" * (21 * 1024 * 1024))
    page.set_input_files("#business_plan", str(big))
    assert "20MB" in page.locator("[data-uploaded=business_plan] .error").inner_text()
