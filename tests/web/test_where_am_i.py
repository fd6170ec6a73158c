"""Where am I: the steps of the whole process with the current one marked, the D-day of the next
deadline (Seoul dates), and on /my whether the applicant must act and each application's deadline."""

from __future__ import annotations

import re

from tests.factories import startup_data, submitted_startup
from tests.web.conftest import login, post_form
from workflow.services.progress import main_path


def _steps(html: str) -> list[str]:
    nav = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", item).split("(")[0].strip() for item in re.findall(r"<li.*?</li>", nav, re.S)
    ]


def _current(html: str) -> str:
    item = re.search(r'<li class="step current" aria-current="step">(.*?)</li>', html, re.S).group(1)
    return re.sub(r"<span class=\"sr-only\">.*?</span>|<[^>]+>", "", item).strip()


def test_the_main_path_goes_all_the_way_through_the_current_state(app):
    program = app.extensions["workflow"].registry.latest("startup-support")
    path = main_path(program, program.initial)
    assert path[0] == program.initial and path[-1] == "closed"  # not the early exit (withdrawn)
    detour = main_path(program, "changes_requested")
    assert "changes_requested" in detour and detour[-1] == "closed"
    assert main_path(program, "rejected")[-1] == "rejected"  # a final state ends the path


def test_the_status_page_shows_the_steps_and_a_d_day(app, client, web_people, store, clock):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)  # 2026-05-04 10:00 KST, screening: 14 days
    login(client, web_people.applicant)
    page = client.get(f"/applications/{app_id}").text
    steps = _steps(page)
    assert steps[0] == "1 작성 중" and steps[-1].endswith("완료")
    assert _current(page) == "2 접수 완료 · 검토 중"
    assert f"전체 {len(steps)}단계 중 2단계" in page
    assert "2026-05-18 18:00 KST" in page and "D-14" in page
    clock.advance(days=14)
    login(client, web_people.applicant)  # sessions end after a while
    assert "D-Day" in client.get(f"/applications/{app_id}").text
    clock.advance(days=1)
    login(client, web_people.applicant)
    assert "기한 지남" in client.get(f"/applications/{app_id}").text


def test_the_steps_follow_the_readers_language_and_side(app, client, web_people, store):
    """The steps are rendered once per program version, state, language and audience, and each reader
    gets their own: Korean, then English, then Korean again; the officer reads the staff wording."""
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    login(client, web_people.applicant)
    korean = client.get(f"/applications/{app_id}").text
    post_form(client, "/language", {"lang": "en", "next": "/"}, page_url="/")
    english = client.get(f"/applications/{app_id}").text
    assert _steps(korean)[0] == "1 작성 중" and "단계 중 2단계" in korean
    assert _steps(english)[0] != _steps(korean)[0] and "Step 2 of" in english and "작성 중" not in english
    post_form(client, "/language", {"lang": "ko", "next": "/"}, page_url="/")
    assert _steps(client.get(f"/applications/{app_id}").text) == _steps(korean)
    officer = app.test_client()
    login(officer, web_people.officer)
    staff = officer.get(f"/applications/{app_id}").text
    assert _steps(staff)[0] == "1 작성 중" and _steps(staff) != _steps(korean)  # the staff's names
    assert _current(staff) != _current(korean)


def test_my_applications_show_action_needed_and_the_next_deadline(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    waiting = submitted_startup(workflow, web_people, store)  # nothing asked of the applicant
    asked = submitted_startup(workflow, web_people, store)
    assert workflow.fire(asked, "request_changes", web_people.officer, reason="사업계획서 보완").ok
    draft = workflow.create("startup-support", web_people.applicant, startup_data(store)).application_id
    login(client, web_people.applicant)
    page = client.get("/my").text
    rows = {
        int(m.group(1)): m.group(0)
        for m in re.finditer(r"<tr>\s*<td><a href=\"/applications/(\d+)\".*?</tr>", page, re.S)
    }
    assert "조치 필요" in rows[asked] and "조치 필요" in rows[draft]
    assert "조치 필요" not in rows[waiting]  # withdrawing is possible, but nothing is asked
    assert "2026-05-14 18:00 KST" in rows[asked] and "D-10" in rows[asked]
    assert "2026-05-18 18:00 KST" in rows[waiting] and "D-14" in rows[waiting]
