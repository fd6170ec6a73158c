"""Bulk actions on the officer's board (issue 16): one confirmation listing what will happen, then each
application through its own service call; which succeeded, which were refused and why; stale versions,
hostile input, authorisation and CSRF."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.factories import submitted_startup
from tests.web.conftest import csrf_of, login
from workflow.models import Application, HistoryEvent, ReviewAssignment
from workflow.services import reviews

BOARD = "/officer/programs/startup-support"
CONFIRM = BOARD + "/bulk"
RUN = BOARD + "/bulk/run"


def _token(client) -> str:
    return csrf_of(client.get(BOARD).text)


def _states(workflow, ids) -> dict[int, str]:
    with workflow.db.connect() as connection:
        rows = connection.execute(select(Application.id, Application.state).where(Application.id.in_(ids)))
        return dict(rows.all())


def _officer(app, people):
    client = app.test_client()
    login(client, people.officer)
    return client


def test_the_board_offers_bulk_actions_to_officers_only(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    page = _officer(app, web_people).get(BOARD).text
    assert 'id="bulk-form"' in page and f'name="application_id" value="{app_id}"' in page
    assert "서면 검토 결과: 통과" in page and 'value="assign:' in page and "data-select-all" in page
    for who in (web_people.finance, web_people.auditor):
        client = app.test_client()
        login(client, who)
        board = client.get(BOARD if who is web_people.finance else "/auditor/programs/startup-support").text
        assert 'id="bulk-form"' not in board


def test_a_bulk_decision_confirms_then_reports_each_application(app, web_people, store):
    workflow = app.extensions["workflow"]
    first, second = (submitted_startup(workflow, web_people, store) for _ in range(2))
    third = submitted_startup(workflow, web_people, store)
    assert workflow.fire(third, "pass_screening", web_people.officer).ok  # no longer in screening
    client = _officer(app, web_people)
    ids = [first, second, third]
    form = {"action": "decide:screening:pass", "application_id": ids, "csrf_token": _token(client)}
    page = client.post(CONFIRM, data=form)
    assert page.status_code == 200
    text = page.text
    assert "결정: 서면 검토 결과: 통과" in text and "처리할 신청서 (2건)" in text
    assert f"#{third}" in text and "처리하지 않을 신청서 (1건)" in text
    assert _states(workflow, ids) == {first: "screening", second: "screening", third: "pitch_review"}
    items = re.findall(r'name="item" value="([^"]+)"', text)
    assert [i.split(":")[0] for i in items] == [str(first), str(second)]
    # someone else acts on the second one between the confirmation and the run: refused as stale
    assert workflow.fire(second, "reject", web_people.officer, reason="중복 신청").ok
    run = client.post(
        RUN, data={"action": "decide:screening:pass", "item": items, "csrf_token": csrf_of(text)}
    )
    assert run.status_code == 200
    result = run.text
    assert "2건 중 1건을 처리했고, 1건은 처리하지 못했습니다" in result
    assert "처리됨" in result and "처리하지 못함" in result
    assert _states(workflow, ids) == {first: "pitch_review", second: "rejected", third: "pitch_review"}
    # sending the same run again changes nothing: every version has moved on
    again = client.post(
        RUN, data={"action": "decide:screening:pass", "item": items, "csrf_token": csrf_of(text)}
    )
    assert "2건 중 0건을 처리했고" in again.text


def test_a_bulk_decision_that_needs_a_reason_asks_for_it_first(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    client = _officer(app, web_people)
    form = {"action": "decide:screening:reject", "application_id": [app_id], "csrf_token": _token(client)}
    response = client.post(CONFIRM, data=form)
    assert response.status_code == 302
    assert "사유가 필요합니다" in client.get(BOARD).text
    page = client.post(CONFIRM, data={**form, "reason": "지원 대상이 아닙니다."}).text
    assert "지원 대상이 아닙니다." in page
    item = re.findall(r'name="item" value="([^"]+)"', page)
    data = {
        "action": form["action"],
        "item": item,
        "reason": "지원 대상이 아닙니다.",
        "csrf_token": csrf_of(page),
    }
    assert client.post(RUN, data=data).status_code == 200
    assert _states(workflow, [app_id]) == {app_id: "rejected"}


def test_bulk_reviewer_assignment_goes_through_the_review_service(app, web_people, store):
    workflow = app.extensions["workflow"]
    ids = [submitted_startup(workflow, web_people, store) for _ in range(3)]
    for app_id in ids[:2]:
        assert workflow.fire(app_id, "pass_screening", web_people.officer).ok
    assert reviews.assign(workflow, ids[1], web_people.reviewer2.id, web_people.officer).ok
    client = _officer(app, web_people)
    action = f"assign:{web_people.reviewer2.id}"
    page = client.post(
        CONFIRM, data={"action": action, "application_id": ids, "csrf_token": _token(client)}
    ).text
    assert "평가위원 reviewer2 배정" in page
    assert "이미 배정됨" in page  # the second has them already; the third is not in a review step
    assert "평가위원을 배정할 수 없습니다" in page
    items = re.findall(r'name="item" value="([^"]+)"', page)
    assert [i.split(":")[0] for i in items] == [str(ids[0])]
    result = client.post(RUN, data={"action": action, "item": items, "csrf_token": csrf_of(page)}).text
    assert "1건 중 1건을 처리했고" in result
    with workflow.db.connect() as connection:
        seats = connection.execute(
            select(ReviewAssignment.application_id).where(
                ReviewAssignment.reviewer_id == web_people.reviewer2.id
            )
        ).scalars()
        assert sorted(seats) == sorted(ids[:2])
        events = connection.execute(
            select(HistoryEvent.trigger).where(HistoryEvent.application_id == ids[0])
        ).scalars()
        assert "assign_reviewer" in set(events)


def test_bulk_refuses_hostile_input_with_4xx_and_writes_nothing(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    other = workflow.create("regulatory-difficulty", web_people.applicant, {}).application_id
    client = _officer(app, web_people)
    token = _token(client)
    ok = {"action": "decide:screening:pass", "csrf_token": token}
    assert client.post(CONFIRM, data={**ok, "application_id": [app_id], "csrf_token": ""}).status_code == 400
    assert client.post(CONFIRM, data={**ok, "application_id": ["x"]}).status_code == 400
    assert client.post(CONFIRM, data={**ok, "application_id": ["9" * 30]}).status_code == 400
    assert (
        client.post(CONFIRM, data={**ok, "application_id": [str(i) for i in range(1, 200)]}).status_code
        == 400
    )
    assert client.post(RUN, data={**ok, "item": ["1:x"]}).status_code == 400
    assert client.post(RUN, data={**ok, "item": []}).status_code == 400
    assert (
        client.post(RUN, data={**ok, "action": "decide:nope:x", "item": [f"{app_id}:1"]}).status_code == 400
    )
    assert (
        client.post(RUN, data={**ok, "action": "assign:999999", "item": [f"{app_id}:1"]}).status_code == 400
    )
    assert (
        client.post("/officer/programs/nope/bulk", data={**ok, "application_id": [app_id]}).status_code == 404
    )
    # no action chosen, nothing ticked: back to the board with a message
    assert client.post(CONFIRM, data={**ok, "action": "", "application_id": [app_id]}).status_code == 302
    assert client.post(CONFIRM, data=ok).status_code == 302
    # an application of another program, or none: refused by name, never acted on
    page = client.post(CONFIRM, data={**ok, "application_id": [other, 99999]}).text
    assert page.count("신청서를 찾을 수 없습니다") == 2
    result = client.post(RUN, data={**ok, "item": [f"{other}:1", "99999:1"]}).text
    assert "2건 중 0건을 처리했고" in result
    assert _states(workflow, [app_id, other]) == {app_id: "screening", other: "draft"}


def test_bulk_routes_are_for_the_programs_officers(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    for who, code in (
        (web_people.applicant, 403),
        (web_people.finance, 403),
        (web_people.auditor, 403),
        (web_people.reviewer1, 403),
        (web_people.other_officer, 404),
    ):
        client = app.test_client()
        login(client, who)
        token = csrf_of(client.get("/").text)
        data = {"action": "decide:screening:pass", "application_id": [app_id], "csrf_token": token}
        assert client.post(CONFIRM, data=data).status_code == code
        run = {"action": "decide:screening:pass", "item": [f"{app_id}:1"], "csrf_token": token}
        assert client.post(RUN, data=run).status_code == code
    anonymous = app.test_client()
    assert anonymous.post(CONFIRM, data={}).status_code in (302, 400)
    assert _states(workflow, [app_id]) == {app_id: "screening"}
