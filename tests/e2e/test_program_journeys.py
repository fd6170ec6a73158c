"""One journey per program kind added in rules/ (applicant and staff, in a real Chromium), with an axe-core
check and, with `--screenshots`, a picture of every step (test-output/e2e/<program>/)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.e2e.conftest import Camera
from tests.web.conftest import PASSWORD
from workflow.engine.actors import load_actor
from workflow.services.users import create_user


def _login(page, base, email, password=PASSWORD):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name=re.compile("^(로그인|Sign in)$")).click()
    page.wait_for_load_state()


def _page(new_page, lang="ko"):
    page = new_page(lang)
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def _start(page, base, key: str) -> int:
    page.goto(f"{base}/programs/{key}")
    page.get_by_role("button", name="신청서 작성 시작").first.click()
    page.wait_for_url(re.compile(r"/applications/\d+/form"))
    return int(re.search(r"/applications/(\d+)/form", page.url).group(1))


def _someone(workflow, email: str):
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


def _fill_forum(page, name: str, email: str) -> None:
    page.fill("#attendee_name", name)
    page.fill("#organisation", "헬스온 주식회사")
    page.fill("#job_title", "책임연구원")
    page.select_option("#sector", "company")
    page.fill("#email", email)
    page.fill("#phone", "010-2345-6789")
    page.check("#sessions-1")
    page.check("#privacy_consent-0")


def test_policy_forum_last_place_waiting_list_promotion_and_certificate(live_app, new_page, clock):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    clock.now = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 10:00 in Seoul, registration open
    crowd = _someone(workflow, "crowd@test.kr")
    for number in range(119):  # every place but one is taken
        created = workflow.create("policy-forum", crowd, {**FORUM_FORM, "attendee_name": f"참가자{number}"})
        assert workflow.fire(created.application_id, "register", crowd).state == "registered"

    # the applicant takes the last place ----------------------------------------------------------
    camera = Camera("policy-forum")
    page = _page(new_page)
    _login(page, base, "applicant@test.kr")
    page.goto(f"{base}/programs/policy-forum")
    assert "정원 120명" in page.content()
    camera.shot(page, "announcement")
    first = _start(page, base, "policy-forum")
    _fill_forum(page, "한신청", "applicant@healthon.kr")
    camera.shot(page, "registration-form")
    page.get_by_role("button", name="등록", exact=True).click()
    page.wait_for_url(re.compile(rf"/applications/{first}$"))
    assert "등록 완료" in page.content()
    camera.shot(page, "registered")

    # a second person, reading in English, is put on the waiting list ---------------------------------
    late = _page(new_page, "en")
    _login(late, base, "other@test.kr")
    late.get_by_role("button", name="English").click()
    late.wait_for_load_state()
    second = _start_en(late, base)
    _fill_forum(late, "Jamie Park", "jamie@example.com")
    late.get_by_role("button", name="Register", exact=True).click()
    late.wait_for_url(re.compile(rf"/applications/{second}$"))
    assert "Waiting list" in late.content() and "registered automatically" in late.content()
    camera.shot(late, "waiting-list-english")

    # the applicant cancels: the place goes to the first one waiting, who is told ----------------------
    page.goto(f"{base}/applications/{first}")
    page.get_by_role("button", name="등록 취소").click()
    page.wait_for_load_state()
    assert "등록 취소" in page.content()
    camera.shot(page, "cancelled")
    late.goto(f"{base}/applications/{second}")
    assert "Registered" in late.content()
    camera.shot(late, "promoted-english")
    late.goto(f"{base}/notices/")
    assert "A place opened up" in late.content()
    camera.shot(late, "promotion-notice-english")

    # the officer confirms and checks the attendee in on the day --------------------------------------
    officer = _page(new_page)
    _login(officer, base, "officer@test.kr")
    officer.goto(f"{base}/officer/applications/{second}")
    camera.shot(officer, "officer-registered")
    officer.get_by_role("button", name="참석 확정 안내").click()
    officer.wait_for_load_state()
    assert "참석 확정" in officer.content()
    officer.get_by_label("참석", exact=True).check()
    camera.shot(officer, "officer-attendance")
    officer.get_by_role("button", name="결정 기록").click()
    officer.wait_for_load_state()
    assert "참석 완료" in officer.content()
    camera.shot(officer, "officer-attended")

    # the attendee receives the certificate of attendance as a PDF letter ----------------------------
    late.goto(f"{base}/notices/")
    assert "Certificate of attendance" in late.content()
    camera.shot(late, "certificate-notice-english")
    pdf = late.request.get(_letter_link(late, base))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    if Camera.enabled:
        (camera.folder / "certificate.pdf").write_bytes(pdf.body())


def _start_en(page, base) -> int:
    page.goto(f"{base}/programs/policy-forum")
    page.get_by_role("button", name=re.compile("Start")).first.click()
    page.wait_for_url(re.compile(r"/applications/\d+/form"))
    return int(re.search(r"/applications/(\d+)/form", page.url).group(1))


def _letter_link(page, base) -> str:
    href = page.locator("a[href*='letter']").first.get_attribute("href")
    return href if href.startswith("http") else base + href
