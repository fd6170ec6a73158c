"""Notices to officers (issue 16): a new submission, a reviewer's declared conflict and an overdue step,
through the outbox; generic (no rule file declares them); turned off in the preferences; never offered to
applicants."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import select

from tests.conftest import RULES_DIR
from tests.factories import AGREEMENT, reviewed_startup, submitted_startup
from tests.notices.helpers import execute, notifications, outbox
from tests.web.conftest import csrf_of, login, make_app, people_with_passwords
from workflow.models import Letter
from workflow.notices.mail import read_folder
from workflow.services import reviews

HANGUL = re.compile("[\uac00-\ud7a3]")


def _kinds(app, user_id: int) -> list[str]:
    return [n["kind"] for n in notifications(app, user_id)]


def test_a_submission_tells_the_programs_officers_not_the_applicant(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    staff = [row for row in outbox(app) if row["notice"] == "new_submission"]
    assert len(staff) == 1 and staff[0]["recipients"] == ["lead_officer", "officer"]
    assert staff[0]["application_id"] == app_id and staff[0]["payload"]["staff"] is True
    officer = notifications(app, web_people.officer.id)
    assert [n["kind"] for n in officer] == ["new_submission"]
    assert f"/officer/applications/{app_id}" in officer[0]["body"] and "제출되었습니다" in officer[0]["body"]
    assert "new_submission" not in _kinds(app, web_people.applicant.id)
    assert "new_submission" not in _kinds(app, web_people.other_officer.id)  # another program's officer
    # the officer of another program, or nobody: an officer who runs nothing here gets nothing
    assert workflow.fire(app_id, "request_changes", web_people.officer, reason="보완").ok
    assert workflow.fire(app_id, "submit", web_people.applicant).ok  # submitted again after changes
    assert _kinds(app, web_people.officer.id) == ["new_submission", "new_submission"]


def test_a_declared_conflict_tells_the_officers_with_the_reason(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "pass_screening", web_people.officer).ok
    assert reviews.assign(workflow, app_id, web_people.reviewer1.id, web_people.officer).ok
    reviews.accept_pledge(workflow, web_people.reviewer1)
    assert reviews.declare(workflow, app_id, web_people.reviewer1, "none").ok
    assert "conflict_declared" not in _kinds(app, web_people.officer.id)
    assert reviews.assign(workflow, app_id, web_people.reviewer2.id, web_people.officer).ok
    reviews.accept_pledge(workflow, web_people.reviewer2)
    assert reviews.declare(workflow, app_id, web_people.reviewer2, "exclusion", "공동 연구 이력").ok
    conflict = [n for n in notifications(app, web_people.officer.id) if n["kind"] == "conflict_declared"]
    assert len(conflict) == 1 and "공동 연구 이력" in conflict[0]["body"]
    assert "conflict_declared" not in _kinds(app, web_people.applicant.id)
    assert "conflict_declared" not in _kinds(app, web_people.reviewer2.id)


def _overdue(app) -> list[dict]:
    return [row for row in outbox(app) if row["template"] == "overdue_for_staff"]


def test_an_overdue_step_is_not_told_twice_when_the_rule_file_already_tells_officers(app, web_people, store):
    workflow = app.extensions["workflow"]
    submitted_startup(workflow, web_people, store)
    workflow.clock.advance(days=20)
    assert app.test_cli_runner().invoke(args=["tick"]).exit_code == 0
    assert [row["notice"] for row in _overdue(app)] == ["screening_overdue"]  # the rule file's own


def test_an_overdue_step_tells_the_officers_when_the_rule_file_does_not(
    sqlite_engine, clock, tmp_path, store
):
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    path = rules / "startup-support.yaml"
    text = path.read_text(encoding="utf-8")
    old = "screening_overdue: {to: [officer], template: overdue_for_staff, channels: [inbox]}"
    assert old in text
    path.write_text(text.replace(old, old.replace("[officer]", "[auditor]")), encoding="utf-8")
    app = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))
    people = people_with_passwords(app)
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, people, store)
    clock.advance(days=13)
    assert app.test_cli_runner().invoke(args=["tick"]).exit_code == 0
    assert _overdue(app) == []
    clock.advance(days=2)
    assert app.test_cli_runner().invoke(args=["tick"]).exit_code == 0
    staff = [row for row in _overdue(app) if row["payload"].get("staff")]
    assert len(staff) == 1 and staff[0]["application_id"] == app_id
    assert "overdue_for_staff" in _kinds(app, people.officer.id)


def test_officers_turn_staff_notices_off_and_applicants_never_see_them(app, web_people, store):
    workflow = app.extensions["workflow"]
    client = app.test_client()
    login(client, web_people.officer)
    page = client.get("/notices/").text
    for label in ("새 제출(담당자)", "평가위원 이해충돌 신고(담당자)", "처리 기한 경과(담당자)"):
        assert label in page
    assert "담당자용 알림" in page
    token = csrf_of(page)
    # everything on by e-mail but new submissions
    kept = ["conflict_declared", "overdue_for_staff"]
    assert client.post("/notices/preferences", data={"email": kept, "csrf_token": token}).status_code == 302
    submitted_startup(workflow, web_people, store)
    assert "new_submission" not in _kinds(app, web_people.officer.id)  # neither e-mail nor inbox
    applicant = app.test_client()
    login(applicant, web_people.applicant)
    mine = applicant.get("/notices/").text
    for label in ("새 제출", "이해충돌 신고", "처리 기한 경과"):
        assert label not in mine
    assert 'value="new_submission"' not in mine


def _speaks(app, person, lang: str) -> None:
    execute(app, "UPDATE users SET language = :lang WHERE id = :id", lang=lang, id=person.id)


@pytest.mark.parametrize(("staff_lang", "applicant_lang"), [("en", "ko"), ("ko", "en")])
def test_staff_notices_are_in_each_staff_members_own_language(
    app, web_people, store, tmp_path, staff_lang, applicant_lang
):
    """The officer's notice of a submission follows the officer's saved language, never the applicant's
    (nor the default); the applicant's receipt notice follows the applicant's."""
    _speaks(app, web_people.officer, staff_lang)
    _speaks(app, web_people.applicant, applicant_lang)
    app_id = submitted_startup(app.extensions["workflow"], web_people, store)
    [told] = [n for n in notifications(app, web_people.officer.id) if n["kind"] == "new_submission"]
    [received] = [n for n in notifications(app, web_people.applicant.id) if n["kind"] == "received"]
    assert (told["lang"], received["lang"]) == (staff_lang, applicant_lang)
    wording = {
        "en": ("[Digital-healthcare startup support] New submission", "Current step: Document screening"),
        "ko": ("[디지털헬스케어 창업지원] 새 제출", "현재 단계: 서면 검토"),
    }
    subject, step = wording[staff_lang]
    assert told["subject"].startswith(subject) and step in told["body"]
    assert (HANGUL.search(told["subject"] + told["body"]) is None) == (staff_lang == "en")
    assert (HANGUL.search(received["subject"]) is None) == (applicant_lang == "en")
    mails = {mail["to"].split("<")[-1].rstrip(">"): mail for mail in read_folder(tmp_path / "mail")}
    assert mails["officer@test.kr"]["subject"] == told["subject"] == f"{subject} (#{app_id})"
    assert mails["applicant@test.kr"]["subject"] == received["subject"]


def test_one_notice_to_the_applicant_and_finance_is_in_each_readers_language(app, web_people, store):
    """A statutory notice addressed to both sides (the rule file's payment notice): the English finance
    officer's inbox entry and PDF letter are in English, the Korean applicant's in Korean."""
    _speaks(app, web_people.finance, "en")
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "select", web_people.officer).ok
    assert workflow.fire(app_id, "sign_agreement", web_people.applicant, data=AGREEMENT).ok
    assert workflow.fire(app_id, "pay_first_tranche", web_people.finance).ok
    [to_finance] = notifications(app, web_people.finance.id)
    [to_applicant] = [n for n in notifications(app, web_people.applicant.id) if n["kind"] == "payment"]
    assert to_finance["lang"] == "en" and "Paid so far: KRW 22,500,000" in to_finance["body"]
    assert to_applicant["lang"] == "ko" and "누적 지급액: 22,500,000원" in to_applicant["body"]
    with workflow.db.connect() as connection:
        letters = {tuple(row) for row in connection.execute(select(Letter.user_id, Letter.lang))}
    assert letters == {(web_people.finance.id, "en"), (web_people.applicant.id, "ko")}
