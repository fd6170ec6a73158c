"""The dashboard page, its filters, the CSV/XLSX exports and `flask stats`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from tests.factories import submitted_startup
from tests.performance.helpers import closed_startup
from tests.web.conftest import login
from workflow.models import UserRole
from workflow.services.exports import safe_cell
from workflow.stats.tables import Column, Table


@pytest.fixture
def data(app, web_people):
    workflow = app.extensions["workflow"]
    from workflow.services.files import FileStore

    store = FileStore(app.config["UPLOAD_DIR"])
    closed = closed_startup(workflow, web_people, store, {"business_no": "999-99-99999"}, jobs=6)
    submitted_startup(workflow, web_people, store)
    return closed


def test_officer_sees_every_section_with_charts_and_tables(client, web_people, data):
    login(client, web_people.officer)
    page = client.get("/stats/")
    assert page.status_code == 200
    text = page.text
    for heading in ("신청 퍼널", "처리 기간", "예산 및 집행", "성과지표", "코호트"):
        assert heading in text
    assert text.count("<canvas") >= 5 and 'type="application/json"' in text
    assert "<caption>" in text and "chart.umd.js" in text and "<script>" not in text
    funnel = text[text.index('id="table-funnel"') : text.index('id="table-states"')]
    assert '<th scope="row">디지털헬스케어 창업지원</th><td class="num">2</td>' in funnel  # 2 applications
    assert "<td>신규 고용 (명)</td>" in text and '<td class="num">1,200,000,000원</td>' in text


def test_an_officer_sees_only_their_programs(app, client, web_people, data):
    login(client, web_people.other_officer)
    text = client.get("/stats/").text
    assert "디지털헬스케어 창업지원" not in text
    assert client.get("/stats/?program=startup-support").status_code == 404


@pytest.mark.parametrize(
    "query", ["year=abc", "year=1800", "from=2026-13-01", "from=2026-05-02&to=2026-05-01"]
)
def test_a_bad_filter_is_a_400_with_a_message(client, web_people, data, query):
    login(client, web_people.auditor)
    response = client.get(f"/stats/?{query}")
    assert response.status_code == 400
    assert client.get(f"/stats/export/funnel.csv?{query}").status_code == 400


def test_unknown_table_or_format_is_404(client, web_people, data):
    login(client, web_people.admin)
    assert client.get("/stats/export/nothing.csv").status_code == 404
    assert client.get("/stats/export/funnel.pdf").status_code == 404


def test_xlsx_has_korean_headers_and_numbers_as_numbers(client, web_people, data):
    login(client, web_people.officer)
    response = client.get("/stats/export/money.xlsx?year=2026")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("사업", "회계연도", "예산", "약정")
    assert rows[1][2] == 1_200_000_000 and isinstance(rows[1][3], int)


def test_csv_matches_the_page_and_has_a_bom(client, web_people, data):
    login(client, web_people.officer)
    response = client.get("/stats/export/outcomes.csv?program=startup-support")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "사업"
    jobs = [r for r in rows[1:] if r[1].startswith("신규 고용")]
    assert jobs and jobs[0][3] == "6"


def test_formula_injection_is_neutralised_in_both_formats():
    table = Table(
        "t", "표", [Column("name", "이름"), Column("n", "수", "int")], [["=1+1", 3], ["-2", 4], ["@x", 5]]
    )
    from workflow.stats.export import to_csv, to_xlsx

    assert [r[0] for r in csv.reader(io.StringIO(to_csv(table).lstrip("\ufeff")))][1:] == [
        "'=1+1",
        "'-2",
        "'@x",
    ]
    sheet = load_workbook(io.BytesIO(to_xlsx(table, "표"))).active
    assert [c.value for c in sheet["A"]][1:] == ["'=1+1", "'-2", "'@x"]
    assert [c.value for c in sheet["B"]][1:] == [3, 4, 5] and safe_cell(5) == 5


def test_flask_stats_prints_the_same_figures(app, web_people, data):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "--program", "startup-support", "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    funnel = figures["funnel"]["rows"][0]
    assert (funnel["applications"], funnel["submitted"], funnel["selected"]) == (2, 2, 1)
    jobs = [r for r in figures["outcomes"]["rows"] if r["indicator"].startswith("신규 고용")]
    assert jobs[0]["value"] == 6
    table = runner.invoke(args=["stats", "--year", "2026"])
    assert (
        table.exit_code == 0
        and "디지털헬스케어 창업지원" in table.output
        and "1,200,000,000원" in table.output
    )
    csv_out = runner.invoke(args=["stats", "--format", "csv", "--lang", "en"])
    assert "# funnel: Funnel" in csv_out.output
    bad = runner.invoke(args=["stats", "--year", "20x6"])
    assert bad.exit_code != 0 and "2000" in bad.output


def test_a_global_officer_sees_every_program(app, client, web_people, data):
    with app.extensions["workflow"].db.begin() as connection:
        connection.execute(
            insert(UserRole).values(user_id=web_people.other_officer.id, role="officer", program_key=None)
        )
    login(client, web_people.other_officer)
    assert "디지털헬스케어 창업지원" in client.get("/stats/").text


def test_flask_stats_json_is_every_dashboard_table(app, web_people, data):
    """The command prints exactly the tables the page shows (whose figures test_figures checks)."""
    from flask_babel import force_locale

    from workflow.stats.dashboard import Scope, all_tables
    from workflow.stats.filters import parse

    workflow = app.extensions["workflow"]
    result = app.test_cli_runner().invoke(args=["stats", "--year", "2026", "--format", "json"])
    printed = json.loads(result.output)
    programs = dict(sorted(workflow.registry.current.items()))
    scope = Scope(programs, parse({"year": "2026"}, list(programs)), "ko", workflow.clock(), 14)
    with app.app_context(), force_locale("ko"), workflow.db.connect() as connection:
        tables = all_tables(connection, scope)
        expected = {key: json.loads(json.dumps(t.records(), ensure_ascii=False)) for key, t in tables.items()}
    assert {key: value["rows"] for key, value in printed.items()} == expected
    assert sum(len(rows) for rows in expected.values()) > 10
