"""Staff read staff wording: a notice to the applicant and to staff gives staff the rule file's
`staff_template` and links each recipient to the page they use for the application (their role's page in
the role registry); reviewers (built-in or a program's own reviewer-like role) read the status page as staff;
the auditor's PDF report names ledger entries and notice statuses by their labels."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import select, update

from tests.conftest import FIXTURES, People
from tests.factories import pdf_ref, submitted_startup
from tests.notices.helpers import pdf_text
from tests.web.conftest import FAST_HASH, login, make_app, post_form
from workflow.audit.timeline import NOTICE_STATUS
from workflow.engine.actors import load_actor
from workflow.engine.members import add_member
from workflow.models import LedgerEntry, Notification, OutboxMessage, User, UserRole
from workflow.services import reviews
from workflow.services.finance import KIND_LABELS

INTERIM = {"interim_summary": "시제품 개발과 임상 설계를 마쳤습니다.", "spent_to_date": 20_000_000}


def _told(app, app_id: int, kind: str) -> dict[int, tuple[str, str]]:
    """user id → (subject, body) of the notifications of one kind on the application."""
    with app.extensions["workflow"].db.connect() as connection:
        rows = connection.execute(
            select(Notification.user_id, Notification.subject, Notification.body).where(
                Notification.application_id == app_id, Notification.kind == kind
            )
        ).all()
    return {row.user_id: (row.subject, row.body) for row in rows}


def _links(body: str) -> set[str]:
    return set(re.findall(r"https?://\S+", body))


def test_finance_is_told_of_a_payment_in_staff_words_with_the_award_page(app, web_people, paid):
    told = _told(app, paid, "payment")
    subject, body = told[web_people.finance.id]
    assert subject.startswith("[") and "지원금 지급 기록" in subject
    assert "신청인에게 지급 안내가 발송되었습니다" in body
    assert {link.split("//", 1)[1].split("/", 1)[1] for link in _links(body)} == {f"finance/awards/{paid}"}
    subject, body = told[web_people.applicant.id]  # the applicant keeps the applicant's text and page
    assert "지원금 지급 안내" in subject and "지급 기록" not in subject
    assert {link.split("//", 1)[1].split("/", 1)[1] for link in _links(body)} == {f"applications/{paid}"}


def test_an_officer_is_told_of_a_report_in_staff_words_with_the_officer_page(app, web_people, paid, store):
    workflow = app.extensions["workflow"]
    with workflow.db.begin() as connection:  # the officer reads English
        connection.execute(update(User).where(User.id == web_people.officer.id).values(language="en"))
    report = {**INTERIM, "interim_file": pdf_ref(store, "interim.pdf")}
    assert workflow.fire(paid, "submit_interim", web_people.applicant, data=report).ok
    told = _told(app, paid, "submission_received")
    subject, body = told[web_people.officer.id]
    assert subject.endswith(f"Submission received (#{paid})")
    assert "your application" not in body.lower() and "the applicant's submission" in body
    assert any(link.endswith(f"/officer/applications/{paid}") for link in _links(body))
    assert not any(
        link.endswith(f"/applications/{paid}") and "/officer/" not in link for link in _links(body)
    )
    subject, body = told[web_people.applicant.id]
    assert (
        "제출하신 내용이 접수되었습니다" in subject and "신청서가 접수" not in subject
    )  # a report, not the application
    assert any(link.endswith(f"/applications/{paid}") and "/officer/" not in link for link in _links(body))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_an_assigned_reviewer_reads_the_status_page_as_staff(app, web_people, store, lang):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "pass_screening", web_people.officer).ok
    assert reviews.assign(workflow, app_id, web_people.reviewer1.id, web_people.officer).ok
    assert reviews.declare(workflow, app_id, web_people.reviewer1, "none").ok
    pages = {}
    for name in ("reviewer1", "applicant"):
        client = app.test_client()
        login(client, getattr(web_people, name))
        post_form(client, "/language", {"lang": lang, "next": "/"}, page_url="/")
        response = client.get(f"/applications/{app_id}")
        assert response.status_code == 200
        pages[name] = response.text
    staff, applicant = STAFF[lang], APPLICANT[lang]
    assert all(text in pages["reviewer1"] for text in staff), pages["reviewer1"]
    assert not any(text in pages["reviewer1"] for text in applicant)
    assert all(text in pages["applicant"] for text in applicant)
    assert not any(text in pages["applicant"] for text in staff)
    # wording only: the reviewer is not given what staff read (the receipt of the submission)
    assert "/submitted" not in pages["reviewer1"]


STAFF = {
    "ko": ("신청인 안내", "지금 할 수 있는 처리"),
    "en": ("Where the application is", "Shown to the applicant", "What can be done now"),
}
APPLICANT = {
    "ko": ("하실 수 있는 일", "나의 신청"),
    "en": ("Where your application is", "What you can do", "My applications"),
}

COMMITTEE = FIXTURES / "registries" / "committee-grant.yaml"


@pytest.fixture
def evaluated_app(sqlite_engine, clock, tmp_path):
    """committee-grant with an external evaluator of its own (`like: reviewer`), told of the recommendation."""
    rules = tmp_path / "rules"
    rules.mkdir()
    text = COMMITTEE.read_text(encoding="utf-8")
    text = text.replace(
        "roles: [applicant, officer, committee, liaison]",
        "roles: [applicant, officer, committee, liaison, evaluator]",
    ).replace(
        "  liaison: {label:",
        "  evaluator: {label: {ko: 외부평가위원, en: External evaluator}, like: reviewer}\n  liaison: {label:",
    )
    text = text.replace(
        "recommended: {to: [committee, applicant], template: received, channels: [inbox]}",
        "recommended: {to: [evaluator, applicant], template: received, staff_template: received_for_staff,"
        " channels: [inbox]}",
    )
    (rules / "committee-grant.yaml").write_text(text, encoding="utf-8")
    return make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))


def test_a_programs_reviewer_like_role_reads_staff_wording_on_the_page_and_in_notices(evaluated_app):
    people = People(evaluated_app.extensions["workflow"].db)
    workflow = evaluated_app.extensions["workflow"]
    with workflow.db.begin() as connection:
        connection.execute(User.__table__.update().values(password_hash=FAST_HASH))
        for user, role in ((people.reviewer1, "committee"), (people.reviewer2, "evaluator")):
            connection.execute(
                UserRole.__table__.insert().values(user_id=user.id, role=role, program_key="committee-grant")
            )
    app_id = workflow.create("committee-grant", people.applicant, {"project": "양자"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    client = evaluated_app.test_client()
    login(client, people.reviewer2)
    page = client.get(f"/applications/{app_id}").text
    assert "신청인 안내" in page and "지금 할 수 있는 처리" in page
    assert "하실 수 있는 일" not in page and "나의 신청" not in page


def test_a_notice_to_a_reviewer_like_role_uses_the_staff_template(evaluated_app):
    people = People(evaluated_app.extensions["workflow"].db)
    workflow = evaluated_app.extensions["workflow"]
    with workflow.db.begin() as connection:
        connection.execute(
            UserRole.__table__.insert().values(
                user_id=people.reviewer1.id, role="committee", program_key="committee-grant"
            )
        )
        connection.execute(
            UserRole.__table__.insert().values(
                user_id=people.reviewer2.id, role="evaluator", program_key="committee-grant"
            )
        )
    app_id = workflow.create("committee-grant", people.applicant, {"project": "양자"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    assert add_member(workflow, app_id, people.applicant, "other@test.kr", "liaison").ok
    assert workflow.fire(app_id, "confirm", people.other).ok
    with workflow.db.connect() as connection:
        member = load_actor(connection, people.reviewer1.id)
    assert workflow.fire(app_id, "recommend", member).ok
    told = _told(evaluated_app, app_id, "received")
    subject, body = told[people.reviewer2.id]
    assert "신청인 제출 접수" in subject and body.rstrip().endswith(f"/applications/{app_id}")
    subject, _body = told[people.applicant.id]
    assert "신청서가 접수되었습니다" in subject


def _report_text(app, who, app_id: int, lang: str, tmp_path) -> str:
    client = app.test_client()
    login(client, who)
    response = client.get(f"/auditor/applications/{app_id}/report.pdf?lang={lang}")
    assert response.status_code == 200
    path = tmp_path / f"report-{lang}.pdf"
    path.write_bytes(response.data)
    return pdf_text(path)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_audit_report_names_ledger_entries_and_notice_statuses(app, web_people, paid, tmp_path, lang):
    workflow = app.extensions["workflow"]
    with workflow.db.begin() as connection:  # one notice failed: a status besides "sent" is printed
        first = connection.execute(
            select(OutboxMessage.id).where(OutboxMessage.application_id == paid).order_by(OutboxMessage.id)
        ).first()[0]
        connection.execute(update(OutboxMessage).where(OutboxMessage.id == first).values(status="failed"))
        kinds = set(
            connection.execute(select(LedgerEntry.kind).where(LedgerEntry.application_id == paid)).scalars()
        )
        outbox = connection.execute(
            select(OutboxMessage.status, OutboxMessage.notice, OutboxMessage.template).where(
                OutboxMessage.application_id == paid
            )
        ).all()
    assert kinds >= {"commit", "pay"}
    text = " ".join(_report_text(app, web_people.auditor, paid, lang, tmp_path).split())
    for kind in kinds:
        assert KIND_LABELS[kind][lang] in text
        assert not re.search(rf"(?<![\w-]){kind}(?![\w-])", text), kind
    statuses = {row.status for row in outbox}
    assert {"sent", "failed"} <= statuses
    for status in statuses:
        label = NOTICE_STATUS[status][lang]
        assert f"· {label}" in text
        if label != status:  # English labels a status by its own word
            assert not re.search(rf"(?<![\w-]){status}(?![\w-])", text), status
    for row in outbox:  # no notice is named by its rule-file key
        for key in {row.notice, row.template} - {""}:
            if "_" in key or lang == "ko":
                assert not re.search(rf"(?<![\w-]){key}(?![\w-])", text), key


def test_finance_following_a_link_before_any_award_reaches_the_application(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)  # no decision yet: no award
    client = app.test_client()
    login(client, web_people.finance)
    response = client.get(f"/finance/awards/{app_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/applications/{app_id}")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "아직 지원금이 확정되지 않은 신청서입니다" in page.text
