"""The officer's application page (issue 16): replacing a reviewer who declared a conflict, whom to ask
when nobody is left, a decision refused for a missing reason, and internal notes (staff only)."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.factories import submitted_startup
from tests.web.conftest import csrf_of, login
from workflow.audit.verify import verify_chain
from workflow.models import Application, HistoryEvent, ReviewAssignment, User
from workflow.services import notes, reviews


def _screened(workflow, people, store) -> int:
    app_id = submitted_startup(workflow, people, store)
    assert workflow.fire(app_id, "pass_screening", people.officer).ok
    return app_id


def _conflicted(workflow, people, store) -> int:
    app_id = _screened(workflow, people, store)
    assert reviews.assign(workflow, app_id, people.reviewer1.id, people.officer).ok
    reviews.accept_pledge(workflow, people.reviewer1)
    assert reviews.declare(workflow, app_id, people.reviewer1, "recusal", "전 직장 동료").ok
    return app_id


def _post(client, url: str, data: dict, page: str):
    return client.post(url, data={**data, "csrf_token": csrf_of(client.get(page).text)})


# replacing a reviewer -----------------------------------------------------------------------------


def test_a_conflicted_reviewer_is_replaced_and_the_replacement_is_in_the_history(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _conflicted(workflow, web_people, store)
    client = app.test_client()
    login(client, web_people.officer)
    page = client.get(f"/officer/applications/{app_id}").text
    assert 'name="replaces"' in page and "reviewer1 대신 배정할 평가위원" in page
    response = _post(
        client,
        f"/officer/applications/{app_id}/replace",
        {"replaces": web_people.reviewer1.id, "reviewer_id": web_people.reviewer2.id},
        f"/officer/applications/{app_id}",
    )
    assert response.status_code == 302
    with workflow.db.connect() as connection:
        seats = dict(
            connection.execute(
                select(ReviewAssignment.reviewer_id, ReviewAssignment.coi).where(
                    ReviewAssignment.application_id == app_id
                )
            ).all()
        )
        event = connection.execute(
            select(HistoryEvent.trigger, HistoryEvent.detail)
            .where(HistoryEvent.application_id == app_id)
            .order_by(HistoryEvent.seq.desc())
        ).first()
        assert verify_chain(connection, app_id) is None
    assert seats == {web_people.reviewer1.id: "conflict", web_people.reviewer2.id: "pending"}
    assert event.trigger == "replace_reviewer"
    assert event.detail == {
        "kind": "review_assigned",
        "reviewer_id": web_people.reviewer2.id,
        "replaces": web_people.reviewer1.id,
        "round": 1,  # the review round the seat belongs to
    }
    page = client.get(f"/officer/applications/{app_id}").text
    assert "심사위원 교체" in page and 'name="replaces"' not in page  # replaced once
    login(client, web_people.auditor)
    timeline = client.get(f"/auditor/applications/{app_id}").text
    assert "심사위원 교체" in timeline and "대신)" in timeline


def test_only_a_conflicted_reviewer_can_be_replaced(workflow, people, store):
    app_id = _screened(workflow, people, store)
    assert reviews.assign(workflow, app_id, people.reviewer1.id, people.officer).ok
    pending = reviews.replace(workflow, app_id, people.reviewer1.id, people.reviewer2.id, people.officer)
    assert not pending.ok and pending.refusal.code == "replace_not_conflicted"
    reviews.accept_pledge(workflow, people.reviewer1)
    assert reviews.declare(workflow, app_id, people.reviewer1, "exclusion", "가족").ok
    assert reviews.assign(workflow, app_id, people.reviewer2.id, people.officer).ok
    twice = reviews.replace(workflow, app_id, people.reviewer1.id, people.reviewer2.id, people.officer)
    assert not twice.ok and twice.refusal.code == "reviewer_already_assigned"
    stranger = reviews.replace(
        workflow, app_id, people.reviewer1.id, people.reviewer3.id, people.other_officer
    )
    assert not stranger.ok and stranger.refusal.code == "not_your_application"


def test_replace_refuses_hostile_input_without_writing(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _conflicted(workflow, web_people, store)
    client = app.test_client()
    login(client, web_people.officer)
    page = f"/officer/applications/{app_id}"
    url = f"/officer/applications/{app_id}/replace"
    assert client.post(url, data={"replaces": "1", "reviewer_id": "2"}).status_code == 400  # no CSRF token
    assert _post(client, url, {"replaces": "x", "reviewer_id": "1"}, page).status_code == 400
    assert _post(client, url, {"replaces": "99999999999999999999"}, page).status_code == 400
    # a reviewer not offered (the conflicted one himself, the applicant) is refused with a message
    for who in (web_people.reviewer1.id, web_people.applicant.id, 10**9):
        response = _post(client, url, {"replaces": web_people.reviewer1.id, "reviewer_id": who}, page)
        assert response.status_code == 302
    assert _post(client, "/officer/applications/999999/replace", {"replaces": 1}, page).status_code == 404
    with workflow.db.connect() as connection:
        count = connection.execute(
            select(ReviewAssignment.id).where(ReviewAssignment.application_id == app_id)
        ).all()
    assert len(count) == 1
    login(client, web_people.finance)  # sees the board, does not assign
    assert _post(client, url, {"replaces": 1, "reviewer_id": 2}, page).status_code == 403


def test_with_no_eligible_reviewer_left_the_page_names_the_administrators(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _conflicted(workflow, web_people, store)
    others = [r.id for r in web_people.reviewers[1:]]
    with workflow.db.begin() as connection:
        connection.execute(update(User).where(User.id.in_(others)).values(active=False))
        admin_name = connection.execute(select(User.name).where(User.id == web_people.admin.id)).scalar()
    client = app.test_client()
    login(client, web_people.officer)
    page = client.get(f"/officer/applications/{app_id}").text
    assert "이해충돌이 없는 평가위원이 더 없습니다" in page
    assert "관리자가 평가위원 계정을 추가할 수 있습니다" in page
    assert admin_name in page and "mailto:admin@test.kr" in page
    assert 'name="replaces"' not in page


# decisions ------------------------------------------------------------------------------------------


def test_a_decision_refused_for_a_missing_reason_keeps_the_choice_and_marks_the_field(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    client = app.test_client()
    login(client, web_people.officer)
    page_url = f"/officer/applications/{app_id}"
    page = client.get(page_url).text
    assert "data-confirm-choice" in page and "“{choice}” 결정을 기록할까요?" in page
    with workflow.db.connect() as connection:
        row_version = connection.execute(
            select(Application.row_version).where(Application.id == app_id)
        ).scalar_one()
    data = {"decision": "screening", "outcome": "reject", "reason": "  ", "row_version": row_version}
    response = _post(client, f"/applications/{app_id}/decide", {**data, "next": page_url}, page_url)
    assert response.status_code == 302
    page = client.get(page_url).text
    assert 'value="reject" data-label="미선정" checked' in page
    assert 'aria-invalid="true"' in page and 'id="reason-error-screening"' in page
    assert "“미선정”의 사유를 입력하세요" in page
    assert workflow_state(workflow, app_id) == "screening"


def workflow_state(workflow, app_id: int) -> str:
    with workflow.db.connect() as connection:
        return connection.execute(select(Application.state).where(Application.id == app_id)).scalar_one()


# internal notes -------------------------------------------------------------------------------------


def test_an_internal_note_is_in_the_history_and_shown_to_staff_only(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _screened(workflow, web_people, store)
    assert reviews.assign(workflow, app_id, web_people.reviewer1.id, web_people.officer).ok
    reviews.accept_pledge(workflow, web_people.reviewer1)
    assert reviews.declare(workflow, app_id, web_people.reviewer1, "none").ok
    secret = "대표 전화 확인 필요: 내부 검토용"
    client = app.test_client()
    login(client, web_people.officer)
    page = f"/officer/applications/{app_id}"
    assert _post(client, f"/officer/applications/{app_id}/notes", {"note": secret}, page).status_code == 302
    assert secret in client.get(page).text
    with workflow.db.connect() as connection:
        assert verify_chain(connection, app_id) is None
        event = connection.execute(
            select(HistoryEvent.trigger, HistoryEvent.detail, HistoryEvent.actor_roles)
            .where(HistoryEvent.application_id == app_id)
            .order_by(HistoryEvent.seq.desc())
        ).first()
    assert event.trigger == "internal_note" and event.detail == {"kind": "internal_note", "text": secret}
    login(client, web_people.auditor)
    assert secret in client.get(f"/auditor/applications/{app_id}").text
    login(client, web_people.applicant)
    status = client.get(f"/applications/{app_id}").text
    assert secret not in status and "내부 메모" not in status
    assert secret not in client.get(f"/applications/{app_id}/record").text
    login(client, web_people.reviewer1)
    review_page = client.get(f"/review/{app_id}").text
    assert secret not in review_page and "내부 메모" not in review_page


def test_notes_refuse_strangers_empty_text_and_missing_csrf(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    url = f"/officer/applications/{app_id}/notes"
    page = f"/officer/applications/{app_id}"
    client = app.test_client()
    login(client, web_people.officer)
    assert client.post(url, data={"note": "x"}).status_code == 400  # no CSRF token
    assert _post(client, url, {"note": "   "}, page).status_code == 302
    assert _post(client, url, {"note": "a\x1b[31m"}, page).status_code == 400  # control characters
    assert _post(client, url, {"note": "x" * 5000}, page).status_code == 302  # refused: too long
    assert "메모는 4000자 이내로 입력하세요" in client.get(page).text
    assert _post(client, "/officer/applications/99999999/notes", {"note": "x"}, page).status_code == 404
    for who, code in (
        (web_people.other_officer, 404),
        (web_people.auditor, 403),
        (web_people.applicant, 403),
    ):
        other = app.test_client()
        login(other, who)
        token = csrf_of(other.get("/").text)
        assert other.post(url, data={"note": "침입", "csrf_token": token}).status_code == code
    with workflow.db.connect() as connection:
        kinds = connection.execute(select(HistoryEvent.trigger).where(HistoryEvent.application_id == app_id))
        assert "internal_note" not in set(kinds.scalars())
    refused = notes.add_note(workflow, app_id, web_people.reviewer1, "심사위원 메모")
    assert not refused.ok and refused.refusal.code == "not_your_application"


def test_the_program_finance_officer_may_note_and_the_applicant_may_not(workflow, people, store):
    app_id = submitted_startup(workflow, people, store)
    assert notes.add_note(workflow, app_id, people.finance, "지급 전 계좌 확인").ok
    assert not notes.add_note(workflow, app_id, people.applicant, "x").ok
    assert not notes.add_note(workflow, app_id, people.auditor, "x").ok
