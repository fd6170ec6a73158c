"""The finance pages: budget with chart, an award's schedule, paying a tranche, recovery, rates, CSV."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import AGREEMENT, reviewed_startup
from tests.web.conftest import app, login, post_form, web_people  # noqa: F401  (fixtures)
from workflow.models import HistoryEvent


def _agreed(app, people, store) -> int:  # noqa: F811
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, store)
    assert workflow.fire(app_id, "select", people.officer).ok
    assert workflow.fire(app_id, "sign_agreement", people.applicant, data=AGREEMENT).ok
    return app_id


def test_finance_officer_pays_tranche_one_from_the_award_page(app, web_people, store):  # noqa: F811
    app_id = _agreed(app, web_people, store)
    client = app.test_client()
    login(client, web_people.finance)
    overview = client.get("/finance/programs/startup-support")
    assert overview.status_code == 200
    assert "<svg" in overview.text and "45,000,000원" in overview.text
    page = client.get(f"/finance/awards/{app_id}")
    assert "다음 분할금 지급" in page.text and "22,500,000원" in page.text
    paid = post_form(client, f"/finance/awards/{app_id}/pay", {"reference": "NH-20260504-001"})
    assert paid.status_code == 302
    after = client.get(f"/finance/awards/{app_id}")
    assert "분할금을 지급했습니다." in after.text
    assert web_people.finance.name in after.text and "2026-05-04 10:00 KST" in after.text
    again = post_form(client, f"/finance/awards/{app_id}/pay", {"reference": "NH-2"})
    assert again.status_code == 302
    assert "지급 또는 환수가 없습니다" in client.get(f"/finance/awards/{app_id}").text
    with app.extensions["workflow"].db.connect() as connection:
        triggers = (
            connection.execute(select(HistoryEvent.trigger).where(HistoryEvent.application_id == app_id))
            .scalars()
            .all()
        )
    assert triggers.count("pay_first_tranche") == 1
    csv = client.get("/finance/programs/startup-support/ledger.csv")
    assert csv.headers["Content-Disposition"] == 'attachment; filename="ledger-startup-support.csv"'
    assert "약정" in csv.text and "22500000" in csv.text


def test_recording_a_recovery_and_a_rate_in_english(app, web_people, store):  # noqa: F811
    workflow = app.extensions["workflow"]
    app_id = _agreed(app, web_people, store)
    assert workflow.fire(app_id, "pay_first_tranche", web_people.finance).ok
    assert workflow.fire(app_id, "terminate", web_people.officer, reason="협약 위반").ok
    client = app.test_client()
    login(client, web_people.finance)
    post_form(client, "/language", {"lang": "en", "next": "/"}, page_url="/")
    url = f"/finance/awards/{app_id}"
    too_much = post_form(client, f"{url}/recover", {"amount": "30,000,000"}, page_url=url)
    assert too_much.status_code == 302
    assert "Recovery above what was paid: paid KRW 22,500,000" in client.get(url).text
    post_form(client, f"{url}/recover", {"amount": "22,500,000", "reason": "전액 환수"}, page_url=url)
    page = client.get(url)
    assert "The recovery was recorded." in page.text and "Recovered" in page.text
    rate = {"currency": "usd", "rate": "1,385.20", "effective_on": "2026-05-04"}
    assert post_form(client, "/finance/rates", rate).status_code == 403  # finance of some programs only
    assert "1,385.20" not in client.get("/finance/rates").text
    admin = app.test_client()
    login(admin, web_people.admin)
    assert post_form(admin, "/finance/rates", rate).status_code == 302
    assert "1,385.20" in client.get("/finance/rates").text


def test_auditors_read_but_do_not_pay(app, web_people, store):  # noqa: F811
    app_id = _agreed(app, web_people, store)
    client = app.test_client()
    login(client, web_people.auditor)
    page = client.get(f"/finance/awards/{app_id}")
    assert page.status_code == 200 and "다음 분할금 지급" not in page.text
    assert (
        post_form(
            client, f"/finance/awards/{app_id}/pay", {}, page_url=f"/finance/awards/{app_id}"
        ).status_code
        == 403
    )
