"""Every role's main pages on a 390×844 phone, in Korean and English: no horizontal scrolling (the
document's scrollWidth, not innerWidth, which grows with the content on a mobile viewport), no serious
axe-core violation, and in Korean no internal key (program, state or role keys) in the visible text."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from tests.e2e.conftest import Camera
from tests.e2e.test_journeys import _login
from tests.factories import AGREEMENT, reviewed_startup
from tests.web.conftest import PASSWORD
from workflow.engine.actors import load_actor
from workflow.models import User
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


def internal_keys(workflow) -> set[str]:
    """Keys a Korean reader must never see: program keys, state and trigger keys, role keys."""
    keys: set[str] = set()
    for key, program in workflow.registry.current.items():
        keys.add(key)
        keys.update(name for name in program.spec.states if "_" in name or len(name) > 3)
    keys.update(("officer", "finance", "auditor", "reviewer", "applicant", "exclusion", "system"))
    return keys


def _visible_text(page) -> str:
    return page.evaluate("() => document.body.innerText")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_pages_fit_a_phone(live_app, browser, tmp_path, lang):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    with app.extensions["db_engine"].begin() as connection:  # people named like people, not like role keys
        for user_id in connection.execute(select(User.id)).scalars().all():
            connection.execute(update(User).where(User.id == user_id).values(name=f"김민수{user_id}"))
        for attribute, actor in vars(people).items():
            if getattr(actor, "id", None):
                setattr(people, attribute, load_actor(connection, actor.id))
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
        context.set_default_timeout(10_000)
        page = context.new_page()
        if who:
            _login(page, base, who, PASSWORD)
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
                text = _visible_text(page)
                leaked = sorted(
                    k for k in keys if re.search(rf"(?<![\w@./-]){re.escape(k)}(?![\w@-]|\.ya?ml)", text)
                )
                if leaked:
                    problems.append(f"{name}: internal keys shown {leaked}")
        context.close()
    assert not problems, "\n".join(problems)
