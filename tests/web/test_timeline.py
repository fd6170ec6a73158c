"""The timeline on the applicant's and the officer's pages: draft saves one after another read as one line with
their number; the auditor's page keeps every event."""

from __future__ import annotations

from tests.web import corrected_grant
from tests.web.conftest import login

app, people, rules = corrected_grant.app, corrected_grant.people, corrected_grant.rules  # its fixtures


def page_of(app, who, url: str) -> str:
    client = app.test_client()
    login(client, who)
    response = client.get(url)
    assert response.status_code == 200
    return response.text


def test_draft_saves_in_a_row_are_one_line_with_their_number_and_the_auditor_sees_each(app, people):
    workflow = app.extensions["workflow"]
    app_id = workflow.create("corrected-grant", people.applicant, {"company_name": "하늘"}).application_id
    for name in ("하늘바", "하늘바이", "하늘바이오"):
        assert workflow.save_draft(app_id, people.applicant, {"company_name": name}).ok
    assert workflow.fire(
        app_id, "submit", people.applicant, {"requested_amount": 20_000_000, "contact_email": "a@sky.kr"}
    ).ok
    assert workflow.save_draft(app_id, people.officer, {}).ok is False  # not the officer's form: no event

    applicant_page = page_of(app, people.applicant, f"/applications/{app_id}")
    timeline = applicant_page[applicant_page.index('<ol class="timeline">') :]
    assert timeline.count("임시 저장") == 1 and "(3회)" in timeline
    assert (
        "</strong> — " in timeline and "</strong>—" not in timeline
    )  # the step's name and where it led, apart

    officer_page = page_of(app, people.officer, f"/officer/applications/{app_id}")
    assert officer_page[officer_page.index('<ol class="timeline">') :].count("(3회)") == 1

    auditor_page = page_of(app, people.auditor, f"/auditor/applications/{app_id}")
    assert auditor_page.count("임시 저장") == 3
