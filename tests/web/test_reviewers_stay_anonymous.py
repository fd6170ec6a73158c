"""Who reviews an application stays with the agency: the applicant's timeline shows no reviewer
assignment, no conflict declaration (with its reason) and no scoring, and names no reviewer; staff see all."""

from __future__ import annotations

from tests.factories import reviewed_startup
from tests.web.conftest import login
from workflow.services import reviews


def test_the_applicant_never_reads_who_reviews_or_why_one_stood_down(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, web_people, store, count=2)  # still in review: a third is needed
    conflicted = web_people.reviewer4
    assert reviews.assign(workflow, app_id, conflicted.id, web_people.officer).ok
    reviews.accept_pledge(workflow, conflicted)
    assert reviews.declare(workflow, app_id, conflicted, "exclusion", "대표이사와 같은 대학 연구실 출신").ok

    login(client, web_people.applicant)
    page = client.get(f"/applications/{app_id}").text
    for reviewer in (*web_people.reviewers[:2], conflicted):
        assert f"· {reviewer.name}" not in page
    assert "같은 대학 연구실" not in page and "평가위원 배정" not in page

    staff = app.test_client()
    login(staff, web_people.officer)
    staff_page = staff.get(f"/applications/{app_id}").text
    assert "같은 대학 연구실" in staff_page and f"· {conflicted.name}" in staff_page
