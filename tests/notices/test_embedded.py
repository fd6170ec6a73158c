"""Embedded mode (no REDIS_URL): jobs run in-process after commit; `flask tick` retries them."""

from __future__ import annotations

import shutil

from tests.factories import submitted_startup
from tests.notices.conftest import make_app, people_on
from tests.notices.helpers import deliveries, execute, notifications, outbox
from workflow.config import PROJECT_ROOT
from workflow.notices.mail import read_folder


def test_a_submission_notice_reaches_the_mail_folder_and_the_inbox(notice_db, tmp_path, clock, store):
    app = make_app(notice_db, tmp_path, clock)
    people = people_on(app)
    app_id = submitted_startup(app.extensions["workflow"], people, store)

    [row] = outbox(app)
    assert (row["notice"], row["status"], row["attempts"]) == ("received", "sent", 1)
    [mail] = read_folder(tmp_path / "mail")
    assert mail["subject"] == f"[디지털헬스케어 창업지원] 신청서가 접수되었습니다 (#{app_id})"
    assert "applicant@test.kr" in mail["to"]
    assert f"/applications/{app_id}" in mail["text"]
    assert "2026-05-04 10:00 (KST)" in mail["text"]  # the event time in Seoul
    [inbox] = notifications(app, people.applicant.id)
    assert inbox["read_at"] is None and inbox["emailed"] and inbox["kind"] == "received"
    [delivery] = deliveries(app)
    assert (
        delivery["message_id"]
        == mail["message_id"]
        == f"<notice-{row['id']}-{people.applicant.id}@grants.example.kr>"
    )


def test_english_users_get_english_notices(sqlite_db, tmp_path, clock, store):
    app = make_app(sqlite_db, tmp_path, clock)
    people = people_on(app)
    execute(app, "UPDATE users SET language = 'en' WHERE id = :id", id=people.applicant.id)
    app_id = submitted_startup(app.extensions["workflow"], people, store)
    [mail] = read_folder(tmp_path / "mail")
    assert mail["subject"] == f"[Digital-healthcare startup support] Application received (#{app_id})"


def test_email_preference_per_kind_but_statutory_notices_always_come(sqlite_db, tmp_path, clock, store):
    from tests.factories import reviewed_startup

    app = make_app(sqlite_db, tmp_path, clock)
    people = people_on(app)
    for kind in ("received", "award"):
        execute(
            app,
            "INSERT INTO notice_preferences (user_id, kind, email) VALUES (:u, :k, false)",
            u=people.applicant.id,
            k=kind,
        )
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, store)
    assert workflow.fire(app_id, "select", people.officer).ok

    subjects = [mail["subject"] for mail in read_folder(tmp_path / "mail")]
    assert len(subjects) == 1 and "지원 대상 선정" in subjects[0]  # award is statutory: e-mailed anyway
    kinds = {(n["kind"], n["emailed"]) for n in notifications(app, people.applicant.id)}
    assert kinds == {("received", False), ("award", True)}


def test_a_template_error_fails_the_notice_once_and_leaves_the_transition(sqlite_db, tmp_path, clock, store):
    templates = tmp_path / "notice-templates"
    shutil.copytree(PROJECT_ROOT / "templates" / "notices", templates)
    (templates / "received.ko.txt").write_text("Subject: {{ program_title }\n\n{{ recipient_name }}\n")
    app = make_app(sqlite_db, tmp_path, clock, NOTICE_TEMPLATES_DIR=str(templates))
    people = people_on(app)
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, people, store)

    with workflow.db.connect() as connection:
        assert workflow.program_of  # the application moved on regardless
        state = connection.exec_driver_sql("SELECT state FROM applications WHERE id = ?", (app_id,)).scalar()
    assert state == "screening"
    [row] = outbox(app)
    assert row["status"] == "failed" and row["attempts"] == 1
    assert "received.ko" in row["last_error"] and "TemplateSyntaxError" in row["last_error"]
    clock.advance(hours=2)
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert outbox(app)[0]["attempts"] == 1  # not retried forever


def test_a_missing_address_fails_with_the_reason_and_an_officer_retry_sends_it(
    sqlite_db, tmp_path, clock, store
):
    app = make_app(sqlite_db, tmp_path, clock)
    people = people_on(app)
    execute(app, "UPDATE users SET email = 'no-address' WHERE id = :id", id=people.applicant.id)
    submitted_startup(app.extensions["workflow"], people, store)
    [row] = outbox(app)
    assert row["status"] == "failed" and "no e-mail address" in row["last_error"]
    assert notifications(app, people.applicant.id)  # the in-app notice is there all the same
    assert read_folder(tmp_path / "mail") == []

    execute(app, "UPDATE users SET email = 'applicant@test.kr' WHERE id = :id", id=people.applicant.id)
    runner = app.test_cli_runner()
    assert "1 failed notice" in runner.invoke(args=["notices", "failed"]).output
    result = runner.invoke(args=["notices", "retry", str(row["id"])])
    assert result.exit_code == 0 and "1 notice(s) put back" in result.output
    assert outbox(app)[0]["status"] == "sent"
    assert len(read_folder(tmp_path / "mail")) == 1


def test_deadline_reminders_become_notices_through_tick(sqlite_db, tmp_path, clock, store):
    app = make_app(sqlite_db, tmp_path, clock)
    people = people_on(app)
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, people, store)
    assert workflow.fire(app_id, "request_changes", people.officer, reason="사업계획서 보완").ok
    clock.advance(days=7, hours=12)  # the reminder is due 3 days before the 10-day deadline
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    notices = [row["notice"] for row in outbox(app)]
    assert notices == ["received", "changes", "changes_reminder"]
    assert all(row["status"] == "sent" for row in outbox(app))
    reminder = next(m for m in read_folder(tmp_path / "mail") if "기한 안내" in m["subject"])
    assert "2026-05-14 18:00 (KST)" in reminder["text"]  # the deadline, in Seoul time
