"""Every role's main pages on a 390×844 phone, in Korean and English: no horizontal scrolling (the
document's scrollWidth, not innerWidth, which grows with the content on a mobile viewport), no serious
axe-core violation, and in Korean no internal key (program, state or role keys) in the visible text."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Camera, internal_keys, leaked_keys, login, named_like_people
from tests.factories import AGREEMENT, reviewed_startup
from tests.web.conftest import PASSWORD
from workflow.services.files import FileStore

PHONE = {"width": 390, "height": 844}


def _visits(app_id: int, people, awarded: int) -> dict:
    return {
        None: ["/", "/programs", "/programs/startup-support", "/login", "/signup", "/no-such-page"],
        "applicant@test.kr": [
            "/my",
            f"/applications/{app_id}",
            f"/applications/{app_id}/receipt",
            f"/applications/{app_id}/submitted",
            "/notices",
            "/account",
        ],
        "reviewer1@test.kr": ["/review/", f"/review/{app_id}", "/review/pledge"],
        "officer@test.kr": [
            "/officer/",
            "/officer/programs/startup-support",
            f"/officer/applications/{app_id}",
        ],
        "finance@test.kr": [
            "/finance/",
            "/finance/programs/startup-support",
            f"/finance/awards/{awarded}",
            f"/finance/awards/{awarded}/pay",
            "/finance/rates",
        ],
        "auditor@test.kr": ["/auditor/", f"/auditor/applications/{app_id}"],
        "admin@test.kr": ["/admin/", f"/admin/users/{people.officer.id}", "/admin/rules"],
    }


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_pages_fit_a_phone(live_app, browser, tmp_path, lang):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    named_like_people(app, people)
    app_id = reviewed_startup(workflow, people, FileStore(tmp_path / "uploads"))
    awarded = reviewed_startup(workflow, people, FileStore(tmp_path / "uploads"))
    assert workflow.fire(awarded, "select", people.officer).ok
    assert workflow.fire(awarded, "sign_agreement", people.applicant, data=AGREEMENT).ok
    keys = internal_keys(workflow)
    camera = Camera(f"6-phone-{lang}")
    problems = []
    for who, paths in _visits(app_id, people, awarded).items():
        context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            bypass_csp=True,
            locale=lang,
        )
        context.set_default_timeout(30_000)
        page = context.new_page()
        if who:
            login(page, base, who, PASSWORD)
        if lang == "en":
            page.goto(base + "/")
            page.get_by_role("button", name="English").click()
            page.wait_for_load_state()
        for path in paths:
            page.goto(base + path)
            name = f"{(who or 'anonymous').split('@')[0]}{path.replace('/', '_')}"
            try:
                camera.shot(page, name)
            except AssertionError as error:
                problems.append(str(error).splitlines()[0])
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{name}: scrollWidth {width} > {PHONE['width']}")
            switch_height = page.evaluate(
                "() => document.querySelector('.lang-switch').getBoundingClientRect().height"
            )
            if switch_height > 40:
                problems.append(f"{name}: the language switch wraps ({switch_height}px high)")
            if lang == "ko":
                leaked = leaked_keys(page, keys)
                if leaked:
                    problems.append(f"{name}: internal keys shown {leaked}")
        context.close()
    assert not problems, "\n".join(problems)
