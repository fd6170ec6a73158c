"""The officer's correction page: the stage's form prefilled, a required reason, the stale-page check, role and
object checks, and the correction with its before → after on the timeline."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.web import corrected_grant
from tests.web.conftest import csrf_of, login
from workflow.models import Application, HistoryEvent

app, people, rules = corrected_grant.app, corrected_grant.people, corrected_grant.rules  # its fixtures

DATA = {"company_name": "하늘바이오", "requested_amount": 20_000_000, "contact_email": "a@sky.kr"}


@pytest.fixture
def app_id(app, people) -> int:
    workflow = app.extensions["workflow"]
    app_id = workflow.create("corrected-grant", people.applicant, DATA).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    return app_id


def signed_in(app, who):
    client = app.test_client()
    login(client, who)
    return client


def history_count(app) -> int:
    with app.extensions["workflow"].db.connect() as connection:
        return connection.execute(select(func.count()).select_from(HistoryEvent)).scalar_one()


def form_of(page: str, **values) -> dict:
    version = page.split('name="row_version" value="')[1].split('"')[0]
    return {"csrf_token": csrf_of(page), "row_version": version, **values}


def test_the_officer_corrects_a_value_with_a_reason_and_the_timeline_shows_before_and_after(
    app, people, app_id
):
    officer = signed_in(app, people.officer)
    detail = officer.get(f"/officer/applications/{app_id}")
    url = f"/officer/applications/{app_id}/correct/application"
    assert url in detail.text  # the button on the officer's page
    page = officer.get(url)
    assert page.status_code == 200 and 'value="하늘바이오"' in page.text and 'value="20,000,000"' in page.text
    data = form_of(
        page.text, company_name="하늘바이오", requested_amount="15,000,000", contact_email="a@sky.kr"
    )
    done = officer.post(url, data={**data, "reason": "신청액 계산 오류"})
    assert done.status_code == 302, done.text
    with app.extensions["workflow"].db.connect() as connection:
        stored = connection.execute(select(Application.data).where(Application.id == app_id)).scalar_one()
    assert stored["requested_amount"] == 15_000_000
    timeline = officer.get(f"/officer/applications/{app_id}").text
    assert "담당자 정정" in timeline and "신청액 계산 오류" in timeline
    assert "신청액(원): 20,000,000원 → 15,000,000원" in timeline
    applicant = signed_in(app, people.applicant)
    assert "20,000,000원 → 15,000,000원" in applicant.get(f"/applications/{app_id}").text


def test_without_a_reason_nothing_changes_and_the_page_says_why(app, people, app_id):
    officer = signed_in(app, people.officer)
    url = f"/officer/applications/{app_id}/correct/application"
    page = officer.get(url)
    before = history_count(app)
    data = form_of(page.text, company_name="다른 이름", requested_amount="20000000", contact_email="a@sky.kr")
    refused = officer.post(url, data={**data, "reason": ""})
    assert refused.status_code == 400 and "사유를 입력" in refused.text
    assert 'value="다른 이름"' in refused.text, "what was typed is kept"
    assert history_count(app) == before


def test_a_stale_page_is_refused_with_409(app, people, app_id):
    officer = signed_in(app, people.officer)
    url = f"/officer/applications/{app_id}/correct/application"
    page = officer.get(url).text
    first = form_of(
        page, company_name="가", requested_amount="20000000", contact_email="a@sky.kr", reason="1차"
    )
    assert officer.post(url, data=first).status_code == 302
    second = form_of(
        page, company_name="나", requested_amount="20000000", contact_email="a@sky.kr", reason="2차"
    )
    late = officer.post(url, data=second)
    assert late.status_code == 409 and "새로 고친 뒤" in late.text


def test_role_object_and_csrf_checks(app, people, app_id):
    url = f"/officer/applications/{app_id}/correct/application"
    assert signed_in(app, people.applicant).get(url).status_code == 403  # the owner may not correct here
    assert signed_in(app, people.other).get(url).status_code == 404  # not theirs: no hint it exists
    assert signed_in(app, people.finance).get(url).status_code == 403  # finance corrects only when approved
    officer = signed_in(app, people.officer)
    assert officer.get(f"/officer/applications/{app_id}/correct/no_stage").status_code == 404
    before = history_count(app)
    posted = officer.post(url, data={"company_name": "x", "reason": "r", "row_version": "3"})
    assert posted.status_code == 400 and history_count(app) == before
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
