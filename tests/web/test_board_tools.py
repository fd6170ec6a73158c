"""The officer's board tools (issue 16): deadline/overdue, average score and amount columns, sorting
by whitelisted keys, page numbers, whole-row links, badges by kind of step, CSV/XLSX of the current
view, a ranking in the selection step, and one grouped count query for the index pages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.factories import reviewed_startup, submitted_startup
from tests.web.conftest import login
from workflow.services import board as board_service
from workflow.services.board_columns import parse_sort, selection_states, state_kinds
from workflow.services.files import FileStore

BOARD = "/officer/programs/startup-support"


@pytest.fixture
def store(tmp_path):
    return FileStore(tmp_path / "uploads")


@pytest.fixture
def program_of(app):
    return app.extensions["workflow"].registry.latest


@pytest.fixture
def ranked(app, web_people, store):
    """Three applications in `selection` with different average scores, and one in screening."""
    workflow = app.extensions["workflow"]
    low = reviewed_startup(workflow, web_people, store, score=(20, 30, 20))  # 70
    high = reviewed_startup(workflow, web_people, store, score=(30, 40, 30))  # 100
    middle = reviewed_startup(workflow, web_people, store, score=(25, 35, 25))  # 85
    screening = submitted_startup(workflow, web_people, store, company_name="=HYPERLINK(1)")
    return {"low": low, "high": high, "middle": middle, "screening": screening}


def _row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="row-target" href="/officer/applications/(\d+)"', html)]


def test_the_board_shows_deadline_score_and_amount(app, client, web_people, ranked):
    login(client, web_people.officer)
    page = client.get(BOARD).text
    assert "평균 점수" in page and "마감" in page
    assert "100.0" in page and "85.0" in page  # averages of the submitted reviews
    assert "D-13" in page or "D-14" in page  # screening's 14-day deadline, counted from today
    app.extensions["workflow"].clock.advance(days=20)
    login(client, web_people.officer)  # the session expired meanwhile
    assert "기한 지남" in client.get(BOARD + "?state=screening").text


def test_sorting_by_a_whitelisted_column_and_refusing_others(client, web_people, ranked):
    login(client, web_people.officer)
    by_score = _row_ids(client.get(BOARD + "?state=selection&sort=score").text)
    assert by_score == [ranked["low"], ranked["middle"], ranked["high"]]
    newest_first = _row_ids(client.get(BOARD + "?sort=id;drop table users").text)
    assert newest_first == sorted(ranked.values(), reverse=True)  # unknown key: the default order
    page = client.get(BOARD + "?sort=-amount").text
    assert 'aria-sort="descending"' in page


def test_the_selection_step_is_ranked_by_score(client, web_people, ranked):
    login(client, web_people.officer)
    page = client.get(BOARD + "?state=selection").text
    assert _row_ids(page) == [ranked["high"], ranked["middle"], ranked["low"]]
    assert "순위" in page


def test_page_numbers_and_whole_row_links(app, client, web_people, store, monkeypatch):
    monkeypatch.setattr(board_service, "PER_PAGE", 2)
    workflow = app.extensions["workflow"]
    ids = [submitted_startup(workflow, web_people, store) for _ in range(7)]
    login(client, web_people.officer)
    page = client.get(BOARD + "?page=2").text
    for n in (1, 3, 4):
        assert f'page={n}"' in page or f"page={n}&" in page
    assert 'aria-current="page"' in page
    assert _row_ids(page) == sorted(ids, reverse=True)[2:4]
    assert 'class="row-link"' in page


def test_badges_differ_by_kind_of_step(app, client, web_people, ranked, program_of):
    kinds = state_kinds(program_of("startup-support"))
    assert kinds["rejected"] == "stopped" and kinds["withdrawn"] == "stopped"
    assert kinds["closed"] == "done"
    assert kinds["changes_requested"] == "applicant" and kinds["selected"] == "applicant"
    assert kinds["pitch_review"] == "review" and kinds["selection"] == "decision"
    assert selection_states(program_of("startup-support")) == {"selection"}
    login(client, web_people.officer)
    page = client.get(BOARD).text
    assert 'class="badge choose"' in page
    assert 'class="badge warn"' not in page
    workflow = app.extensions["workflow"]
    assert workflow.fire(ranked["screening"], "request_changes", web_people.officer, reason="보완").ok
    assert 'class="badge warn"' in client.get(BOARD).text  # waiting on the applicant


def test_exports_of_the_current_view(client, web_people, ranked):
    login(client, web_people.officer)
    response = client.get(BOARD + "/export.csv?state=selection&sort=-score")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][0] == "번호" and len(rows) == 4
    assert [int(r[0]) for r in rows[1:]] == [ranked["high"], ranked["middle"], ranked["low"]]
    everything = client.get(BOARD + "/export.csv").text
    assert "'=HYPERLINK(1)" in everything  # a formula typed as a name stays text
    book = client.get(BOARD + "/export.xlsx?q=HYPERLINK")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.data)).active
    assert sheet.max_row == 2 and sheet.cell(2, 2).value == "'=HYPERLINK(1)"
    assert client.get(BOARD + "/export.pdf").status_code == 404


def test_another_programs_officer_cannot_export(client, web_people, ranked):
    login(client, web_people.other_officer)
    assert client.get(BOARD).status_code == 404  # no hint the program exists
    assert client.get(BOARD + "/export.csv").status_code == 404


def test_index_pages_count_with_one_query(client, web_people, ranked):
    statements = []

    def count(conn, cursor, statement, *args):
        counted = "count(" in statement.lower() and "applications" in statement
        if counted or "FROM application_counts" in statement:  # the counters the triggers keep
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        login(client, web_people.officer)
        statements.clear()
        assert client.get("/officer/").status_code == 200
        officer_counts = len(statements)
        login(client, web_people.auditor)
        statements.clear()
        assert client.get("/auditor/").status_code == 200
        auditor_counts = len(statements)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert officer_counts == 1 and auditor_counts == 1


def test_parse_sort_is_a_whitelist(program_of):
    program = program_of("startup-support")
    assert parse_sort(program, "-deadline") == "-deadline"
    assert parse_sort(program, "data->>'x'") == "-number"


def test_next_pages_are_read_by_key_not_offset(app, client, web_people, store, monkeypatch):
    monkeypatch.setattr(board_service, "PER_PAGE", 2)
    workflow = app.extensions["workflow"]
    ids = sorted((submitted_startup(workflow, web_people, store) for _ in range(5)), reverse=True)
    login(client, web_people.officer)
    first = client.get(BOARD).text
    assert f"after={ids[1]}" in first  # the next link carries the last number on this page
    statements = []

    def capture(conn, cursor, statement, parameters, *args):
        if "OFFSET" in statement.upper():  # SQLite writes "LIMIT ? OFFSET ?" even for no offset
            statements.append(parameters[-1])

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        second = client.get(BOARD + f"?page=2&after={ids[1]}").text
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    assert _row_ids(second) == ids[2:4]
    assert statements and not any(statements)  # every offset was 0
    assert f"after={ids[3]}" in second
    assert _row_ids(client.get(BOARD + "?page=2&after=junk").text) == ids[2:4]  # by offset then


def test_what_users_and_rule_files_wrote_is_escaped_in_the_rows(app, client, web_people, store, monkeypatch):
    """The rows are built in Python (workflow/web/board_page.py), not by Jinja's autoescape: markup in a
    title, an applicant's name and organisation, and a step's label from a rule file is shown as text."""
    from sqlalchemy import update

    from workflow.definitions.compiled import CompiledProgram
    from workflow.models import User
    from workflow.web import board_page

    submitted_startup(
        app.extensions["workflow"], web_people, store, company_name='<script>alert("t")</script> & Co'
    )
    with app.extensions["workflow"].db.begin() as connection:
        connection.execute(
            update(User)
            .where(User.id == web_people.applicant.id)
            .values(name="<b>한</b>", organisation='"><img src=x onerror=alert(1)>')
        )
    monkeypatch.setattr(board_page, "_looks", {})  # the labels below, not those worked out before
    monkeypatch.setattr(
        CompiledProgram, "state_label", lambda self, state, lang, audience="staff": f"<i>{state}</i>"
    )
    login(client, web_people.officer)
    page = client.get(BOARD).text
    rows = page[page.index("<tbody>") : page.index("</tbody>")]
    for raw in ("<script>", "<b>한</b>", "<img", "<i>", "& Co"):
        assert raw not in rows, raw
    for shown in (
        "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &amp; Co",
        "&lt;b&gt;한&lt;/b&gt;",
        "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
        "&lt;i&gt;screening&lt;/i&gt;",
    ):
        assert shown in rows, shown
