"""In Chromium: an officer opens the statistics dashboard, sees the charts drawn, filters by year (kept in
the URL), and downloads the XLSX of the indicators table, which openpyxl reads back with the same figures."""

from __future__ import annotations

import re

from openpyxl import load_workbook

from tests.e2e.conftest import Camera
from tests.e2e.test_finance import _login
from tests.performance.helpers import closed_startup, fire, follow_up
from workflow.engine.timers import tick
from workflow.services.files import FileStore


def test_officer_filters_the_dashboard_by_year_and_downloads_xlsx(live_app, new_page, tmp_path, clock):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    store = FileStore(tmp_path / "files")
    app_id = closed_startup(workflow, people, store, {"region": "chuncheon"}, jobs=4, revenue=300_000_000)
    clock.advance(days=366)
    tick(workflow)
    fire(workflow, app_id, "submit_follow_up", people.applicant, follow_up(jobs=2, revenue=500_000_000))

    camera = Camera("stats")
    page = new_page()
    _login(page, base, "officer@test.kr")
    page.goto(f"{base}/stats/")
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart]').length > 0")
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')].every(c => window.Chart.getChart(c))"
    )
    assert drawn, "every chart is drawn by the vendored Chart.js"
    camera.shot(page, "dashboard")
    outcomes = page.locator("#table-outcomes table")
    assert outcomes.get_by_role("row", name=re.compile("2026")).count() >= 1
    assert outcomes.get_by_role("row", name=re.compile("2027")).count() >= 1

    page.select_option("#filter-year", "2027")
    page.get_by_role("button", name="적용").click()
    page.wait_for_url(re.compile(r"/stats/\?.*year=2027"))
    camera.shot(page, "dashboard-2027")
    assert outcomes.get_by_role("row", name=re.compile("2026")).count() == 0
    assert outcomes.get_by_role("row", name=re.compile("신규 고용.*2027.*2")).count() == 1

    with page.expect_download() as download:
        page.locator('[data-export="outcomes-xlsx"]').click()
    path = tmp_path / "outcomes.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename == "stats-outcomes-2027.xlsx"
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("사업", "성과지표", "연도", "실적")
    jobs = [r for r in rows[1:] if r[1].startswith("신규 고용")]
    assert jobs == [("디지털헬스케어 창업지원", jobs[0][1], "2027", 2, 30, 6.7, 1)]
    assert {r[2] for r in rows[1:]} == {"2027"}
