"""The officer chooses a reviewer's kind when assigning, and the pages show the review round and kinds
(tests/fixtures/capabilities/review-rounds.yaml)."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from tests.engine.capabilities import CAPABILITIES, staff
from tests.web.conftest import login, make_app, people_with_passwords, post_form
from workflow.models import ReviewAssignment
from workflow.services import reviews


def test_the_officer_assigns_by_kind_and_sees_the_round(sqlite_engine, clock, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(CAPABILITIES / "review-rounds.yaml", rules / "review-rounds.yaml")
    app = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))
    workflow = app.extensions["workflow"]
    officer = staff(sqlite_engine, "officer", "review-rounds", "round-page-officer")
    people = people_with_passwords(app)
    app_id = workflow.create("review-rounds", people.applicant, {"title": "양자 센서"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok

    client = app.test_client()
    login(client, officer)
    url = f"/officer/applications/{app_id}"
    page = client.get(url).text
    assert "평가위원 구분" in page and "외부위원" in page and "내부위원" in page
    for reviewer, kind in ((people.reviewer1, "external"), (people.reviewer2, "internal")):
        response = post_form(
            client, f"{url}/assign", {"reviewer_id": reviewer.id, "kind": kind}, page_url=url
        )
        assert response.status_code == 302
    bad = post_form(client, f"{url}/assign", {"reviewer_id": people.reviewer3.id, "kind": "ministry"}, url)
    assert bad.status_code == 302
    with sqlite_engine.connect() as connection:
        kinds = dict(
            connection.execute(
                select(ReviewAssignment.reviewer_id, ReviewAssignment.kind).where(
                    ReviewAssignment.application_id == app_id
                )
            ).all()
        )
    assert kinds == {people.reviewer1.id: "external", people.reviewer2.id: "internal"}

    for reviewer in (people.reviewer1, people.reviewer2):
        assert reviews.declare(workflow, app_id, reviewer, "none").ok
        assert reviews.submit(workflow, app_id, reviewer, {"merit": 3}).ok
    assert workflow.fire(app_id, "ask_revision", officer, reason="보완").ok
    assert workflow.fire(app_id, "submit", people.applicant).ok
    page = client.get(url).text
    assert "2차 심사" in page and "이전 심사 차수" in page and "3점" in page

    reviewer_client = app.test_client()
    login(reviewer_client, people.reviewer1)
    inbox = reviewer_client.get("/review/").text
    assert "외부위원" in inbox
    reviews.accept_pledge(workflow, people.reviewer1)
    assert reviews.assign(workflow, app_id, people.reviewer1.id, officer, kind="external").ok
    assert reviews.declare(workflow, app_id, people.reviewer1, "none").ok  # seated again in round 2
    score_page = reviewer_client.get(f"/review/{app_id}").text
    assert "2차 심사" in score_page and "외부위원" in score_page
    post_form(client, "/language", {"lang": "en", "next": url}, page_url=url)
    page = client.get(url).text
    assert "Review round 2" in page and "Earlier review rounds" in page and "Reviewer kind" in page
    assert "External reviewer" in page
