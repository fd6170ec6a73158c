"""Each role's journey through the pages (test client): apply with uploads, bad input kept, stale forms,
the reviewer's declaration gate, the officer's buttons with the guard's reason, the auditor's read-only view."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from tests.factories import AGREEMENT, PDF, reviewed_startup, startup_data, submitted_startup
from tests.web.conftest import csrf_of, login, post_form
from workflow.models import Application
from workflow.services import reviews

FORM_VALUES = {
    "company_name": "헬스온 주식회사",
    "business_no": "123-45-67890",
    "representative": "한대표",
    "contact_email": "ceo@healthon.kr",
    "contact_phone": "010-1234-5678",
    "founded_on": "2023-04-01",
    "employees": "12",
    "sector": "digital_therapeutics",
    "support_needs": ["prototype"],
    "gangwon_based": "true",
    "summary": "불면증 인지행동치료 디지털 치료제의 임상 및 사업화",
    "requested_amount": "45,000,000",
    "own_cash": "10000000",
    "in_kind": "5000000",
}


def _version(html: str) -> str:
    return re.search(r'name="row_version" value="(\d+)"', html).group(1)


def _stored_version(workflow, app_id: int) -> int:
    with workflow.db.connect() as connection:
        return connection.execute(
            select(Application.row_version).where(Application.id == app_id)
        ).scalar_one()


def _start(client) -> int:
    response = post_form(client, "/programs/startup-support/apply", {}, page_url="/programs/startup-support")
    return int(re.search(r"/applications/(\d+)/form", response.headers["Location"]).group(1))


def test_applicant_fills_uploads_and_submits(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    data = {**FORM_VALUES, "csrf_token": csrf_of(page.text), "row_version": _version(page.text)}
    data["business_plan"] = (io.BytesIO(PDF), "plan.pdf")
    data["action"] = "submit"
    response = client.post(f"/applications/{app_id}/form", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    status = client.get(f"/applications/{app_id}")
    assert "접수 완료 · 검토 중" in status.text and "plan.pdf" in status.text
    download = client.get(re.search(r'href="(/applications/\d+/files/\w+)"', status.text).group(1))
    assert download.data.startswith(b"%PDF")
    download.close()


def test_disguised_upload_is_refused_and_other_fields_are_kept(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    data = {**FORM_VALUES, "csrf_token": csrf_of(page.text), "row_version": _version(page.text)}
    data["business_plan"] = (io.BytesIO(b"MZ\x90\x00 not a pdf"), "plan.pdf")
    response = client.post(f"/applications/{app_id}/form", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "허용되는 파일 형식: pdf" in response.text
    assert 'value="헬스온 주식회사"' in response.text
    workflow = app.extensions["workflow"]
    with workflow.db.connect() as connection:
        from workflow.engine import records

        stored = records.read_application(connection, app_id).data
    assert stored["company_name"] == "헬스온 주식회사" and "business_plan" not in stored


def test_invalid_value_keeps_what_was_typed_and_saves_the_rest(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    data = {"company_name": "헬스온", "employees": "열두 명", "csrf_token": csrf_of(page.text)}
    data["row_version"] = _version(page.text)
    response = client.post(f"/applications/{app_id}/form", data=data)
    assert "정수를 입력하세요" in response.text and 'value="열두 명"' in response.text
    again = client.get(f"/applications/{app_id}/form")
    assert 'value="헬스온"' in again.text


def test_stale_form_keeps_input_and_says_what_changed(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    stale = _version(page.text)
    assert client.post(
        f"/applications/{app_id}/autosave",
        data={"company_name": "먼저 저장", "csrf_token": csrf_of(page.text), "row_version": stale},
    ).json["ok"]
    response = client.post(
        f"/applications/{app_id}/form",
        data={"company_name": "나중 입력", "csrf_token": csrf_of(page.text), "row_version": stale},
    )
    assert "바뀌었습니다" in response.text and 'value="나중 입력"' in response.text


def test_draft_survives_logout(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    saved = client.post(
        f"/applications/{app_id}/autosave",
        data={
            "summary": "이틀에 걸쳐 작성하는 사업 개요입니다.",
            "csrf_token": csrf_of(page.text),
            "row_version": _version(page.text),
        },
    )
    assert saved.json["ok"]
    client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    later = app.test_client()
    login(later, web_people.applicant)
    assert "이틀에 걸쳐 작성하는 사업 개요입니다." in later.get(f"/applications/{app_id}/form").text


def test_expired_session_autosave_is_refused_without_losing_the_page(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    response = client.post(
        f"/applications/{app_id}/autosave",
        data={"company_name": "x", "row_version": "2"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400 and "입력한 내용은 이 화면에 남아" in response.json["message"]


def test_reviewer_declares_before_seeing_and_conflict_removes_assignment(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "pass_screening", web_people.officer).ok
    for reviewer in (web_people.reviewer1, web_people.reviewer2):
        assert reviews.assign(workflow, app_id, reviewer.id, web_people.officer).ok
    first = app.test_client()
    login(first, web_people.reviewer1)
    pledge = first.get(f"/review/{app_id}", follow_redirects=True)  # the pledge comes first
    assert "보안서약" in pledge.text and "불면증" not in pledge.text
    post_form(first, f"/review/pledge?next={app_id}", {"accept": "y"}, page_url="/review/pledge")
    gate = first.get(f"/review/{app_id}", follow_redirects=True)
    assert "이해충돌 신고" in gate.text and "불면증" not in gate.text and "123-45-67890" not in gate.text
    assert first.get(f"/applications/{app_id}").status_code == 404
    post_form(first, f"/review/{app_id}/declare", {"declaration": "none"})
    scoring = first.get(f"/review/{app_id}")
    assert "불면증" in scoring.text
    response = post_form(
        first,
        f"/review/{app_id}",
        {"score_innovation": "25", "score_feasibility": "35", "score_regional_impact": "41"},
    )
    assert "0부터 30까지" in response.text
    post_form(
        first,
        f"/review/{app_id}",
        {"score_innovation": "25", "score_feasibility": "35", "score_regional_impact": "20"},
    )
    locked = first.get(f"/review/{app_id}")
    assert "제출 완료(수정 불가)" in locked.text and 'name="score_innovation"' not in locked.text
    again = post_form(
        first,
        f"/review/{app_id}",
        {"score_innovation": "30", "score_feasibility": "40", "score_regional_impact": "30"},
    )
    assert "바꿀 수 없습니다" in again.text

    second = app.test_client()
    login(second, web_people.reviewer2)
    reviews.accept_pledge(workflow, web_people.reviewer2)
    missing_reason = post_form(second, f"/review/{app_id}/declare", {"declaration": "exclusion"})
    assert "사유를 입력하세요" in missing_reason.text
    post_form(second, f"/review/{app_id}/declare", {"declaration": "exclusion", "reason": "같은 기관 소속"})
    assert second.get(f"/review/{app_id}").status_code == 404
    officer = app.test_client()
    login(officer, web_people.officer)
    page = officer.get(f"/officer/applications/{app_id}")
    assert "이해충돌 신고" in page.text and "같은 기관 소속" in page.text
    overview = officer.get("/officer/")
    assert (
        "이해충돌 신고 현황" in overview.text
        and "같은 기관 소속" in overview.text
        and "exclusion" not in overview.text
    )


def test_officer_sees_exactly_the_allowed_actions_with_reasons(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, web_people, store, score=(10, 20, 10))
    officer = app.test_client()
    login(officer, web_people.officer)
    page = officer.get(f"/officer/applications/{app_id}")
    assert 'value="reject"' in page.text
    assert "평균 70점 이상이어야" in page.text and "disabled" in page.text  # select is offered but disabled
    assert 'value="pay_first_tranche"' not in page.text
    version = _version(page.text)
    missing_reason = post_form(
        officer,
        f"/applications/{app_id}/fire",
        {"trigger": "reject", "next": f"/officer/applications/{app_id}", "row_version": version},
        page_url=f"/officer/applications/{app_id}",
        follow_redirects=True,
    )
    assert "사유를 입력해야 합니다" in missing_reason.text
    done = post_form(
        officer,
        f"/applications/{app_id}/fire",
        {
            "trigger": "reject",
            "reason": "평가 점수 미달",
            "next": f"/officer/applications/{app_id}",
            "row_version": version,
        },
        page_url=f"/officer/applications/{app_id}",
        follow_redirects=True,
    )
    assert "미선정" in done.text


def test_officer_assigns_only_conflict_free_reviewers(app, web_people, store):
    from sqlalchemy import update

    from workflow.models import User

    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "pass_screening", web_people.officer).ok
    with workflow.db.begin() as connection:
        connection.execute(
            update(User).where(User.id == web_people.reviewer3.id).values(organisation="헬스온(주)")
        )
    officer = app.test_client()
    login(officer, web_people.officer)
    page = officer.get(f"/officer/applications/{app_id}")
    options = re.findall(r'<option[^>]*value="(\d+)"', page.text)
    assert str(web_people.reviewer3.id) not in options and str(web_people.reviewer1.id) in options
    assert "신청인과 같은 기관" in page.text
    refused = post_form(
        officer,
        f"/officer/applications/{app_id}/assign",
        {"reviewer_id": web_people.reviewer3.id},
        page_url=f"/officer/applications/{app_id}",
        follow_redirects=True,
    )
    assert "목록에서 평가위원을 선택하세요" in refused.text
    post_form(
        officer,
        f"/officer/applications/{app_id}/assign",
        {"reviewer_id": web_people.reviewer1.id},
        page_url=f"/officer/applications/{app_id}",
    )
    with workflow.db.connect() as connection:
        from workflow.engine.access import reviewer_status

        assert reviewer_status(connection, app_id, web_people.reviewer1.id) == "pending"


def test_applicant_answers_a_change_request(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "request_changes", web_people.officer, reason="자부담 증빙을 첨부하세요").ok
    login(client, web_people.applicant)
    status = client.get(f"/applications/{app_id}")
    assert (
        "보완 요청" in status.text
        and "담당자 안내" in status.text
        and "자부담 증빙을 첨부하세요" in status.text
    )
    assert "KST" in status.text  # the 10-day deadline, in Seoul time
    page = client.get(f"/applications/{app_id}/form")
    data = {"own_cash": "12000000", "csrf_token": csrf_of(page.text), "row_version": _version(page.text)}
    response = client.post(f"/applications/{app_id}/form", data={**data, "action": "submit"})
    assert response.status_code == 302
    assert "접수 완료 · 검토 중" in client.get(f"/applications/{app_id}").text


def test_board_filters_and_searches(app, web_people, store):
    workflow = app.extensions["workflow"]
    submitted_startup(workflow, web_people, store, company_name="알파헬스")
    workflow.create("startup-support", web_people.applicant, {"company_name": "베타케어"})
    officer = app.test_client()
    login(officer, web_people.officer)
    everything = officer.get("/officer/programs/startup-support")
    assert "알파헬스" in everything.text and "베타케어" in everything.text
    screening = officer.get("/officer/programs/startup-support?state=screening")
    assert "알파헬스" in screening.text and "베타케어" not in screening.text
    search = officer.get("/officer/programs/startup-support?q=베타")
    assert "베타케어" in search.text and "알파헬스" not in search.text


def test_auditor_reads_everything_and_changes_nothing(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    auditor = app.test_client()
    login(auditor, web_people.auditor)
    page = auditor.get(f"/auditor/applications/{app_id}")
    assert page.status_code == 200 and "규칙 버전 2026.3" in page.text
    assert "startup-support 2026.3" not in page.text  # the program's title, never its key (issue 14)
    assert "/fire" not in page.text and '<form method="post"' not in page.text.split("<main")[1]
    refused = post_form(
        auditor,
        f"/applications/{app_id}/fire",
        {"trigger": "pass_screening", "row_version": _stored_version(workflow, app_id)},
        page_url="/",
        follow_redirects=True,
    )
    assert "권한" in refused.text or "역할만" in refused.text


def test_applicant_reads_the_status_in_english_and_korean(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store, **startup_data(store))
    login(client, web_people.applicant)
    korean = client.get(f"/applications/{app_id}")
    assert "접수 완료 · 검토 중" in korean.text and "담당자가 서류를 검토합니다" in korean.text
    assert "2026-05-18 18:00 KST" in korean.text  # 14 days, closing at 18:00 Seoul time
    post_form(client, "/language", {"lang": "en", "next": f"/applications/{app_id}"}, page_url="/")
    english = client.get(f"/applications/{app_id}")
    assert "Received · being screened" in english.text and "Where your application is" in english.text
    assert "KRW\u00a045,000,000" in english.text  # a no-break space: never wrapped mid-amount


def test_stale_officer_action_says_what_changed_and_keeps_the_reason(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    officer = app.test_client()
    login(officer, web_people.officer)
    page = officer.get(f"/officer/applications/{app_id}")
    version = re.search(r'name="row_version" value="(\d+)"', page.text).group(1)
    assert workflow.fire(app_id, "withdraw", web_people.applicant).ok  # meanwhile the applicant withdraws
    response = officer.post(
        f"/applications/{app_id}/decide",
        data={
            "decision": "screening",
            "outcome": "changes",
            "reason": "사업계획서 보완 필요",
            "row_version": version,
            "next": f"/officer/applications/{app_id}",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=True,
    )
    flash = re.search(r'class="flash flash-error">([^<]+)<', response.text).group(1)
    assert "applicant" in flash and "신청 취소" in flash and "KST" in flash  # who, which action, when


def test_oversized_upload_is_refused_with_the_limit_and_fields_kept(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    data = {
        "company_name": "큰파일 주식회사",
        "csrf_token": csrf_of(page.text),
        "row_version": _version(page.text),
    }
    data["business_plan"] = (io.BytesIO(PDF + b"0" * (20 * 1024 * 1024)), "plan.pdf")
    response = client.post(f"/applications/{app_id}/form", data=data, content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()  # the test client spools a large body to a temp file
    assert "20MB 이하" in response.text and 'value="큰파일 주식회사"' in response.text


def test_applicant_sees_the_tranche_schedule_once_awarded(app, client, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, web_people, store)
    login(client, web_people.applicant)
    assert "지급 내역" not in client.get(f"/applications/{app_id}").text  # no award yet
    assert workflow.fire(app_id, "select", web_people.officer).ok
    page = client.get(f"/applications/{app_id}").text
    assert "지급 내역" in page and "22,500,000원" in page
    # the first tranche is due with the award but cannot be paid before the agreement is signed
    assert "아직 지급할 수 없음" in page and "협약 서명 이후" in page and "대기" in page
    assert "중간보고 승인 이후" in page  # the second tranche waits for the interim report
    assert workflow.fire(app_id, "sign_agreement", web_people.applicant, data=AGREEMENT).ok
    assert "지급 가능" in client.get(f"/applications/{app_id}").text
