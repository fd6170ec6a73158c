"""Notice pages: the inbox with read/unread and e-mail preferences, the demo mail folder, the officers'
failed notices with retry, and letters downloaded by the applicant and an auditor."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from tests.conftest import People
from tests.factories import reviewed_startup, submitted_startup
from tests.notices.helpers import execute, notifications, outbox
from tests.web.conftest import FAST_HASH, csrf_of, login
from tests.web.conftest import make_app as make_web_app
from workflow.models import NoticePreference, User


@pytest.fixture
def app(sqlite_engine, clock, tmp_path):
    # one notice per submission here: the officers' own notices are tests/web/test_officer_notices.py
    app = make_web_app(
        sqlite_engine, clock, tmp_path, NOTICE_MAIL_DIR=str(tmp_path / "mail"), STAFF_NOTICES=False
    )
    yield app
    app.extensions["notices"].close()


@pytest.fixture
def people(app) -> People:
    engine = app.extensions["workflow"].db
    people = People(engine)
    with engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    return people


def _post(client, url: str, data: dict, page: str = "/notices/"):
    token = csrf_of(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token})


def test_the_inbox_marks_notices_read(app, people, store):
    client = app.test_client()
    app_id = submitted_startup(app.extensions["workflow"], people, store)
    login(client, people.applicant)
    page = client.get("/notices/").text
    assert f"신청서가 접수되었습니다 (#{app_id})" in page and "읽지 않음" in page
    [notice] = notifications(app, people.applicant.id)
    assert _post(client, "/notices/read", {"notification_id": notice["id"]}).status_code == 302
    assert notifications(app, people.applicant.id)[0]["read_at"] is not None
    assert "읽지 않음" not in client.get("/notices/").text
    other = app.test_client()
    login(other, people.other)
    assert f"#{app_id}" not in other.get("/notices/").text


def test_preferences_turn_off_email_for_a_kind_but_not_for_statutory_ones(app, people, store):
    client = app.test_client()
    login(client, people.applicant)
    page = client.get("/notices/").text
    assert re.search(r'id="pref-award" checked disabled', page)
    assert _post(client, "/notices/preferences", {"email": ["decision", "payment"]}).status_code == 302
    with app.extensions["workflow"].db.connect() as connection:
        chosen = dict(
            connection.execute(
                select(NoticePreference.kind, NoticePreference.email).where(
                    NoticePreference.user_id == people.applicant.id
                )
            ).all()
        )
    assert chosen["received"] is False and "award" not in chosen  # statutory kinds are never stored
    submitted_startup(app.extensions["workflow"], people, store)
    assert [n["emailed"] for n in notifications(app, people.applicant.id)] == [False]


def test_the_demo_mail_folder_shows_each_user_their_own_mail(app, people, store):
    app_id = submitted_startup(app.extensions["workflow"], people, store)
    client = app.test_client()
    login(client, people.applicant)
    page = client.get("/notices/mail").text
    assert f"신청서가 접수되었습니다 (#{app_id})" in page and "applicant@test.kr" in page
    officer = app.test_client()
    login(officer, people.officer)
    assert f"(#{app_id})" not in officer.get("/notices/mail").text


def test_officers_retry_failed_notices_of_their_programs(app, people, store):
    execute(app, "UPDATE users SET email = 'broken' WHERE id = :id", id=people.applicant.id)
    app_id = submitted_startup(app.extensions["workflow"], people, store)
    [row] = outbox(app)
    assert row["status"] == "failed"
    stranger = app.test_client()
    login(stranger, people.other_officer)
    assert "no e-mail address" not in stranger.get("/notices/failed").text
    _post(stranger, "/notices/failed/retry", {"outbox_id": row["id"]}, "/notices/failed")
    assert outbox(app)[0]["attempts"] == 1  # not theirs: nothing happened

    officer = app.test_client()
    login(officer, people.officer)
    page = officer.get("/notices/failed").text
    assert f"#{app_id}" in page and "no e-mail address" in page
    execute(app, "UPDATE users SET email = 'applicant@test.kr' WHERE id = :id", id=people.applicant.id)
    response = _post(officer, "/notices/failed/retry", {"outbox_id": row["id"]}, "/notices/failed")
    assert response.status_code == 302
    assert outbox(app)[0]["status"] == "sent"
    assert "1건을 다시 보냈습니다" in officer.get("/notices/failed").text


def test_the_applicant_and_an_auditor_download_the_award_letter(app, people, store):
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, store)
    assert workflow.fire(app_id, "select", people.officer).ok
    client = app.test_client()
    login(client, people.applicant)
    page = client.get("/notices/").text
    link = re.search(rf'href="(/applications/{app_id}/letters/\d+)"', page).group(1)
    for who in (people.applicant, people.auditor):
        reader = app.test_client()
        login(reader, who)
        response = reader.get(link)
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        response.close()
    outsider = app.test_client()
    login(outsider, people.other)
    assert outsider.get(link).status_code == 404


def test_the_menu_counts_unread_notices_and_the_inbox_links_instead_of_printing_urls(app, people, store):
    client = app.test_client()
    app_id = submitted_startup(app.extensions["workflow"], people, store)
    login(client, people.applicant)
    page = client.get("/notices/").text
    assert re.search(r'알림 <span class="nav-count">1<span class="sr-only"> 안 읽음</span>', page)
    body = page.split('class="notice-list"')[1].split("</ul>")[0]
    assert "http://" not in body and "https://" not in body  # no raw addresses
    assert f'<a href="/applications/{app_id}">바로가기</a>' in body
    [notice] = notifications(app, people.applicant.id)
    _post(client, "/notices/read", {"notification_id": notice["id"]})
    assert 'class="nav-count"' not in client.get("/notices/").text


def test_applicants_are_not_offered_staff_only_kinds(app, people):
    applicant = app.test_client()
    login(applicant, people.applicant)
    assert 'id="pref-overdue_for_staff"' not in applicant.get("/notices/").text
    officer = app.test_client()
    login(officer, people.officer)
    assert 'id="pref-overdue_for_staff"' in officer.get("/notices/").text


def test_the_menu_highlights_only_the_current_page(app, people):
    client = app.test_client()
    login(client, people.admin)
    page = client.get("/admin/rules").text
    nav = page.split('class="site-nav"')[1].split("</nav>")[0]
    assert nav.count('aria-current="page"') == 1
    assert re.search(r'href="/admin/rules" aria-current="page"', nav)
