"""The applicant's status page is the most visited page: it reads what it shows in a fixed, small number
of statements (who is signed in, their roles and unread notices in one), and its wording follows each
reader's language although translations are looked up once per locale."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.factories import submitted_startup
from tests.web.conftest import csrf_of, login


@contextmanager
def statements():
    seen: list[str] = []

    def record(_connection, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_the_status_page_reads_in_seven_statements(app, client, web_people, store):
    app_id = submitted_startup(app.extensions["workflow"], web_people, store)
    login(client, web_people.applicant)
    client.get(f"/applications/{app_id}")  # the program's rule file is read once, not per page
    with statements() as seen:
        page = client.get(f"/applications/{app_id}")
    assert page.status_code == 200
    # user + roles + unread count, application, applicant, history, deadline, letters, award
    assert len(seen) == 7, "\n".join(seen)
    assert sum("FROM users" in s and "user_roles" in s and "notifications" in s for s in seen) == 1


def test_staff_roles_come_with_the_user_in_the_same_statement(app, client, web_people, store):
    app_id = submitted_startup(app.extensions["workflow"], web_people, store)
    login(client, web_people.officer)  # officer of the program: sees the staff wording and rule version
    with statements() as seen:
        page = client.get(f"/applications/{app_id}").text
    assert not any(s.lstrip().startswith("SELECT user_roles") for s in seen)
    assert "규칙 버전" in page


def test_two_readers_in_two_languages_each_read_their_own(app, web_people, store):
    app_id = submitted_startup(app.extensions["workflow"], web_people, store)
    korean, english = app.test_client(), app.test_client()
    login(korean, web_people.applicant)
    login(english, web_people.applicant)
    for reader, lang in ((english, "en"), (korean, "ko")):  # each session's own choice
        switch = reader.get("/login").text
        reader.post("/language", data={"lang": lang, "next": "/", "csrf_token": csrf_of(switch)})
    for _ in range(2):  # alternating: neither reader's catalogue sticks to the other
        en_page = english.get(f"/applications/{app_id}").text
        assert "Where your application is" in en_page and "신청 진행 상황" not in en_page
        ko_page = korean.get(f"/applications/{app_id}").text
        assert "신청 진행 상황" in ko_page and "Where your application is" not in ko_page
