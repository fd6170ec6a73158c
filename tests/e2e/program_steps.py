"""Steps the program journeys share (tests/e2e/test_program_journeys*.py): signing in, a page at a size,
a Journey camera, starting an application, a user made on the spot, filling forms."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import Journey, internal_keys, login, named_like_people
from tests.factories import PDF
from tests.web.conftest import PASSWORD
from workflow.engine.actors import load_actor
from workflow.services.users import create_user


def sign_in(page, base, email, password=PASSWORD):
    login(page, base, email, password)


SIZES = pytest.mark.parametrize("size", ["desktop", "phone"])
# A program's whole journey at one size: the pages it shares with every program (the form, the status
# page, the officer's page) are tried at both sizes by the role journeys (test_journeys.py, test_phone.py);
# the programs alternate, so each program-specific page is still seen on a phone by one of them.
AT_A_DESK = pytest.mark.parametrize("size", ["desktop"])
ON_A_PHONE = pytest.mark.parametrize("size", ["phone"])


def page_for(page_at, size, lang="ko"):
    return page_at(size, lang)


def camera_for(app, people, name: str, size: str) -> Journey:
    named_like_people(app, people)  # people named like people, so that role keys in the text stand out
    return Journey(name, size, internal_keys(app.extensions["workflow"]))


def start_application(page, base, key: str) -> int:
    page.goto(f"{base}/programs/{key}")
    page.get_by_role("button", name="신청서 작성 시작").first.click()
    page.wait_for_url(re.compile(r"/applications/\d+/form"))
    return int(re.search(r"/applications/(\d+)/form", page.url).group(1))


def someone(workflow, email: str):
    with workflow.db.begin() as connection:
        user_id = create_user(connection, email, email.split("@")[0])
    with workflow.db.connect() as connection:
        return load_actor(connection, user_id)


FORUM_FORM = {
    "attendee_name": "김포럼",
    "organisation": "헬스온 주식회사",
    "job_title": "책임연구원",
    "sector": "company",
    "email": "forum@healthon.kr",
    "phone": "010-2345-6789",
    "privacy_consent": True,
}


def fill_forum(page, name: str, email: str) -> None:
    page.fill("#attendee_name", name)
    page.fill("#organisation", "헬스온 주식회사")
    page.fill("#job_title", "책임연구원")
    page.select_option("#sector", "company")
    page.fill("#email", email)
    page.fill("#phone", "010-2345-6789")
    page.check("#sessions-1")
    page.check("#privacy_consent-0")


def start_in_english(page, base) -> int:
    page.goto(f"{base}/programs/policy-forum")
    page.get_by_role("button", name=re.compile("Start")).first.click()
    page.wait_for_url(re.compile(r"/applications/\d+/form"))
    return int(re.search(r"/applications/(\d+)/form", page.url).group(1))


def stored_pdf(app) -> dict:
    from workflow.storage import file_store_for

    with app.app_context():
        return file_store_for(app).save(PDF, "roster.pdf", accept=("pdf",))


def letter_link(page, base) -> str:
    href = page.locator("a[href*='letter']").first.get_attribute("href")
    return href if href.startswith("http") else base + href


def reviewed_and_selected(workflow, people, app_id, scores):
    from workflow.services import reviews

    assert workflow.fire(app_id, "pass_screening", people.officer).ok
    for reviewer in people.reviewers[:3]:
        assert reviews.assign(workflow, app_id, reviewer.id, people.officer).ok
        assert reviews.declare(workflow, app_id, reviewer, "none").ok
        assert reviews.submit(workflow, app_id, reviewer, scores).ok
    assert workflow.fire(app_id, "select", people.officer).state == "selected"


def fill(page, values: dict) -> None:
    for name, value in values.items():
        page.fill(f"#{name}", value)


def press(page, name) -> None:
    """Click a form's button and wait for the page it leads to. The form may hold the submit while an
    autosave or an upload is still out (it is sent when they are in): `wait_for_load_state` right after
    the click would return at once, on the form still showing."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=isinstance(name, str)).click()


def upload(page, field: str, path) -> None:
    """Choose a file and wait until the form lists it as uploaded, as a person would see it."""
    page.set_input_files(f"#{field}", str(path))
    page.locator(f"[data-uploaded={field}] .file-name").wait_for()
