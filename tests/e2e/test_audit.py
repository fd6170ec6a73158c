"""In Chromium: an auditor searches the history, opens an application's timeline, sees its chain
verified, and downloads the history CSV and the PDF audit report."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.conftest import Camera
from tests.factories import reviewed_startup
from tests.web.conftest import PASSWORD
from workflow.audit.csvfiles import parse_events_csv
from workflow.services.files import FileStore


def test_auditor_searches_opens_a_timeline_and_downloads_csv_and_pdf(live_app, new_page, tmp_path):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, FileStore(tmp_path / "files"))

    camera = Camera("audit")
    page = new_page()
    page.goto(f"{base}/login")
    page.fill("#email", "auditor@test.kr")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=re.compile("^(로그인|Sign in)$")).click()
    page.wait_for_load_state()
    page.goto(f"{base}/auditor/")
    camera.shot(page, "index")
    page.get_by_role("link", name="처리 이력 검색").click()
    page.wait_for_url(re.compile("/auditor/search"))
    page.select_option("#program", "startup-support")
    page.fill("#actor", "officer")
    page.get_by_role("button", name="검색").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name=f"#{app_id}").first.is_visible()
    camera.shot(page, "search")
    page.get_by_role("link", name=f"#{app_id}").first.click()
    page.wait_for_url(re.compile(f"/auditor/applications/{app_id}"))
    assert page.locator("#chain-status").get_by_text("검증 완료").is_visible()
    assert page.get_by_text("심사 점수 제출").first.is_visible()
    camera.shot(page, "timeline")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="처리 이력 CSV").click()
    events = parse_events_csv(Path(csv_download.value.path()).read_text(encoding="utf-8"))
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)) and len(events) > 8
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="감사 보고서(PDF, 국문)").click()
    assert Path(pdf_download.value.path()).read_bytes()[:4] == b"%PDF"
    assert pdf_download.value.suggested_filename == f"application-{app_id}-audit-ko.pdf"
