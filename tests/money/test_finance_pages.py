"""Finance pages (issue 16): the payment confirmation with the declared bank account, amount, date and a
transfer reference recorded with the payment; why paying or recovering is not possible; the recoveries."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import AGREEMENT, reviewed_startup
from tests.web.conftest import app, login, post_form, web_people  # noqa: F401  (fixtures)
from workflow.models import HistoryEvent, LedgerEntry


def _agreed(app, people, store) -> int:  # noqa: F811
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, store)
    assert workflow.fire(app_id, "select", people.officer).ok
    assert workflow.fire(app_id, "sign_agreement", people.applicant, data=AGREEMENT).ok
    return app_id


def test_paying_opens_a_confirmation_with_account_amount_date_and_reference(app, web_people, store):  # noqa: F811
    app_id = _agreed(app, web_people, store)
    client = app.test_client()
    login(client, web_people.finance)
    award = client.get(f"/finance/awards/{app_id}").text
    assert f'href="/finance/awards/{app_id}/pay"' in award
    page = client.get(f"/finance/awards/{app_id}/pay").text
    assert "지급 확인" in page
    assert "은행명" in page and "농협은행" in page and "계좌번호" in page and "301-1234-5678" in page
    assert "22,500,000원" in page and "2026-05-04" in page and 'name="reference"' in page
    missing = post_form(client, f"/finance/awards/{app_id}/pay", {"reference": " "})
    assert missing.status_code == 400 and "이체 거래번호를 입력하세요" in missing.text
    workflow = app.extensions["workflow"]
    with workflow.db.connect() as connection:
        assert connection.execute(select(LedgerEntry).where(LedgerEntry.kind == "pay")).first() is None
    paid = post_form(client, f"/finance/awards/{app_id}/pay", {"reference": "NH-20260504-001"})
    assert paid.status_code == 302
    with workflow.db.connect() as connection:
        entry = connection.execute(select(LedgerEntry).where(LedgerEntry.kind == "pay")).mappings().one()
        note = connection.execute(
            select(HistoryEvent.reason).where(
                HistoryEvent.application_id == app_id, HistoryEvent.seq == entry["event_seq"]
            )
        ).scalar_one()
    assert note == "NH-20260504-001"
    assert "NH-20260504-001" in client.get(f"/finance/awards/{app_id}").text  # in the ledger table


def test_the_award_page_says_why_paying_or_recovering_is_not_possible(app, web_people, store):  # noqa: F811
    app_id = _agreed(app, web_people, store)
    workflow = app.extensions["workflow"]
    auditor = app.test_client()
    login(auditor, web_people.auditor)
    before = auditor.get(f"/finance/awards/{app_id}").text
    assert (
        "지금은 분할금을 지급할 수 없습니다" in before and "재무담당자 역할만 할 수 있습니다" in before
    )  # who may
    assert workflow.fire(app_id, "pay_first_tranche", web_people.finance).ok
    client = app.test_client()
    login(client, web_people.finance)
    page = client.get(f"/finance/awards/{app_id}").text
    # in progress: tranche 2 waits for the interim report's approval, a recovery for a termination
    assert "지금은 분할금을 지급할 수 없습니다" in page and "지금은 환수를 기록할 수 없습니다" in page
    assert "가능한 단계: 협약 체결 · 1차 지급 대기, 중간보고 승인 · 2차 지급 대기" in page
    assert "가능한 단계: 환수 진행" in page
    confirm = client.get(f"/finance/awards/{app_id}/pay").text
    assert "가능한 단계" in confirm and 'name="reference"' not in confirm


def test_the_program_page_lists_recoveries(app, web_people, store):  # noqa: F811
    app_id = _agreed(app, web_people, store)
    workflow = app.extensions["workflow"]
    assert workflow.fire(app_id, "pay_first_tranche", web_people.finance).ok
    client = app.test_client()
    login(client, web_people.finance)
    assert "환수 내역이 없습니다" in client.get("/finance/programs/startup-support").text
    assert workflow.fire(app_id, "terminate", web_people.officer, reason="협약 위반").ok
    url = f"/finance/awards/{app_id}"
    post_form(client, f"{url}/recover", {"amount": "10,000,000", "reason": "일부 환수"}, page_url=url)
    page = client.get("/finance/programs/startup-support").text
    listed = page[page.index("<h2>지원금 환수</h2>") :]
    assert f"#{app_id}" in listed and "10,000,000원" in listed and "일부 환수" in listed


def test_the_rate_form_uses_the_shared_form_layout(app, web_people):  # noqa: F811
    client = app.test_client()
    login(client, web_people.admin)
    page = client.get("/finance/rates").text
    form = page[page.index('id="record-rate"') :]
    assert (
        'class="field' in form and 'id="currency-help"' in form and 'aria-describedby="currency-help"' in form
    )
    assert 'class="req"' in form and 'value="2026-05-04"' in form
