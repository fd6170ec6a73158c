"""The record of a submission: the read-only application, the receipt (접수증) and the print stylesheet."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.factories import startup_data, submitted_startup
from tests.web.conftest import login
from workflow.models import HistoryEvent


def _received_at(workflow, app_id: int) -> str:
    with workflow.db.connect() as connection:
        at = connection.execute(
            select(HistoryEvent.at)
            .where(HistoryEvent.application_id == app_id, HistoryEvent.trigger == "submit")
            .order_by(HistoryEvent.seq)
        ).scalar()
    return at.astimezone(ZoneInfo("Asia/Seoul")).strftime("%Y-%m-%d %H:%M KST")


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which carry the second they were made in."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def test_the_status_page_links_the_receipt_with_number_and_seoul_time(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    login(client, web_people.applicant)
    number = f"STARTUP-SUPPORT-2026-{app_id:06d}"
    status = client.get(f"/applications/{app_id}")
    assert f"/applications/{app_id}/receipt" in status.text
    assert f"/applications/{app_id}/submitted" in status.text
    assert number in status.text
    receipt = client.get(f"/applications/{app_id}/receipt")
    assert receipt.status_code == 200
    assert "접수증" in receipt.text and number in receipt.text
    assert _received_at(workflow, app_id) in receipt.text
    assert "헬스온 주식회사" in receipt.text and "45,000,000원" in receipt.text
    again = client.get(f"/applications/{app_id}/receipt").text
    assert _without_tokens(again) == _without_tokens(receipt.text)  # the number never changes


def test_the_submitted_application_shows_every_stage_with_labels_and_file_links(
    app, client, web_people, store
):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    login(client, web_people.applicant)
    page = client.get(f"/applications/{app_id}/submitted")
    assert page.status_code == 200
    text = page.text
    assert "신청서" in text  # the stage's title
    assert "사업자등록번호" in text and "123-45-67890" in text
    assert "디지털 치료제" in text  # a choice shows its label, not its value
    assert "digital_therapeutics" not in text
    assert "45,000,000원" in text
    assert f"/applications/{app_id}/files/" in text  # the business plan as a link
    assert "data-print" in text
    assert "<textarea" not in text and 'type="text"' not in text  # read-only


def test_a_draft_has_no_receipt_yet(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    created = workflow.create("startup-support", web_people.applicant, startup_data(store))
    login(client, web_people.applicant)
    assert client.get(f"/applications/{created.application_id}/receipt").status_code == 404
    assert client.get(f"/applications/{created.application_id}/submitted").status_code == 404
    assert "/receipt" not in client.get(f"/applications/{created.application_id}").text


def test_printing_hides_navigation_and_buttons():
    css = (Path(__file__).parents[2] / "static" / "css" / "site.css").read_text(encoding="utf-8")
    block = css[css.index("@media print") :]
    for selector in (".site-nav", ".site-header", ".site-footer", "button", ".button"):
        assert selector in block.split("}")[0]


def test_the_status_page_lists_each_upload_or_says_there_is_none(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    with_plan = workflow.create("startup-support", web_people.applicant, startup_data(store))
    no_plan = {name: value for name, value in startup_data(store).items() if name != "business_plan"}
    without = workflow.create("startup-support", web_people.other, no_plan)
    assert with_plan.ok and without.ok
    login(client, web_people.applicant)
    page = client.get(f"/applications/{with_plan.application_id}").text
    documents = page[page.index('id="docs-title"') :]
    assert f"/applications/{with_plan.application_id}/files/" in documents
    assert "(plan.pdf)" in documents and "아직 문서가 없습니다." not in documents
    login(client, web_people.other)
    page = client.get(f"/applications/{without.application_id}").text
    documents = page[page.index('id="docs-title"') :]
    assert "/files/" not in documents and "아직 문서가 없습니다." in documents
