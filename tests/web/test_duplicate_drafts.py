"""No silent duplicates: starting a second application for the same program asks first."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import startup_data
from tests.web.conftest import login, post_form
from workflow.models import Application

URL = "/programs/startup-support/apply"


def _count(workflow) -> int:
    with workflow.db.connect() as connection:
        return connection.execute(select(func.count()).select_from(Application)).scalar_one()


def test_a_second_application_is_only_started_after_confirming(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    first = workflow.create("startup-support", web_people.applicant, startup_data(store)).application_id
    login(client, web_people.applicant)
    asked = post_form(client, URL, {}, page_url="/programs/startup-support")
    assert asked.status_code == 200 and _count(workflow) == 1  # nothing created yet
    assert "이미 작성 중이거나 제출한 신청서가 있습니다" in asked.text
    assert f"/applications/{first}" in asked.text and 'name="another" value="1"' in asked.text
    confirmed = post_form(client, URL, {"another": "1"}, page_url="/programs/startup-support")
    assert confirmed.status_code == 302 and "/form" in confirmed.headers["Location"]
    assert _count(workflow) == 2


def test_a_closed_application_does_not_ask(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    first = workflow.create("startup-support", web_people.applicant, startup_data(store)).application_id
    assert workflow.fire(first, "withdraw", web_people.applicant).ok
    login(client, web_people.applicant)
    response = post_form(client, URL, {}, page_url="/programs/startup-support")
    assert response.status_code == 302 and _count(workflow) == 2
