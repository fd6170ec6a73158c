"""PDF letters (embedded Korean font, exact text) and e-mail through a real local SMTP server."""

from __future__ import annotations

from email.header import decode_header, make_header

from prometheus_client import REGISTRY
from sqlalchemy import select

from tests.factories import reviewed_startup, submitted_startup
from tests.notices.conftest import make_app, people_on
from tests.notices.helpers import deliveries, outbox, pdf_fonts, pdf_text
from workflow.models import Letter
from workflow.notices.letters import LetterContent, render_letter


def _smtp_app(db, tmp_path, clock, smtp, **config):
    return make_app(db, tmp_path, clock, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, **config)


def test_the_award_letter_embeds_its_korean_font_and_extracts_exactly(
    sqlite_db, tmp_path, clock, store, smtp
):
    app = _smtp_app(sqlite_db, tmp_path, clock, smtp)
    people = people_on(app)
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, store)
    assert workflow.fire(app_id, "select", people.officer).ok

    with workflow.db.connect() as connection:
        letter = connection.execute(select(Letter)).mappings().one()
    path = tmp_path / "letter.pdf"
    path.write_bytes(letter["content"])
    fonts = pdf_fonts(path)
    assert fonts and all(font["emb"] == "yes" and font["uni"] == "yes" for font in fonts), fonts
    assert {font["name"].split("+")[1] for font in fonts} == {"NanumSquareR", "NanumSquareB"}
    text = pdf_text(path)
    for line in (
        "강원 디지털헬스케어 혁신클러스터 사업단",
        f"혁신사업단-2026-{letter['outbox_id']:06d}-{people.applicant.id}",
        "2026. 5. 4.",
        f"[디지털헬스케어 창업지원] 지원 대상 선정 및 교부 결정 (#{app_id})",
        "가. 지원금: 45,000,000원",
        "22,500,000원",
        "사업단장",
        "1/1",
    ):
        assert line in text, line

    award_mail = next(m for _, m in smtp.messages if m.get_content_type() == "multipart/mixed")
    [attachment] = list(award_mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == letter["content"]


def test_a_long_letter_breaks_pages_and_numbers_them(tmp_path):
    content = LetterContent(
        lang="ko",
        agency="기관",
        agency_address="주소",
        document_no="번호-1",
        date_text="2026. 5. 4.",
        recipient="수신자 귀하",
        subject="제목",
        paragraphs=[f"{n}. 매우 긴 문단입니다. " * 12 for n in range(1, 30)],
        signatory="사업단장",
    )
    path = tmp_path / "long.pdf"
    path.write_bytes(render_letter(content))
    text = pdf_text(path)
    pages = text.count("\f")
    assert pages >= 2 and f"1/{pages}" in text and f"{pages}/{pages}" in text


def test_an_email_is_multipart_with_korean_headers_encoded(sqlite_db, tmp_path, clock, store, smtp):
    app = _smtp_app(sqlite_db, tmp_path, clock, smtp)
    people = people_on(app)
    submitted_startup(app.extensions["workflow"], people, store)
    [(rcpt, message)] = smtp.messages
    assert rcpt == ["applicant@test.kr"]
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    raw_subject = message.get("Subject")
    assert "신청서가 접수되었습니다" in str(make_header(decode_header(raw_subject)))
    assert "강원 혁신클러스터" in str(message["From"])
    assert "신청서 보기" in message.get_body(("html",)).get_content()


def test_smtp_refusing_for_a_while_gives_exactly_one_email(sqlite_db, tmp_path, clock, store, smtp):
    app = _smtp_app(sqlite_db, tmp_path, clock, smtp, NOTICE_RETRY_INTERVALS=[30, 120])
    smtp.refuse_next = 2
    email_retries = (
        REGISTRY.get_sample_value("grants_notice_channel_retries_total", {"channel": "email"}) or 0
    )
    people = people_on(app)
    submitted_startup(app.extensions["workflow"], people, store)
    [row] = outbox(app)
    assert (row["status"], row["attempts"]) == ("pending", 1) and "451" in row["last_error"]

    runner = app.test_cli_runner()
    runner.invoke(args=["tick"])  # the backoff has not passed: nothing is tried
    assert outbox(app)[0]["attempts"] == 1
    for _ in range(2):
        clock.advance(minutes=3)
        assert runner.invoke(args=["tick"]).exit_code == 0
    [row] = outbox(app)
    assert (row["status"], row["attempts"]) == ("sent", 3)
    assert smtp.refused == 2 and len(smtp.messages) == 1
    assert [d["status"] for d in deliveries(app)] == ["sent"]
    retried = REGISTRY.get_sample_value("grants_notice_channel_retries_total", {"channel": "email"})
    assert retried - email_retries == 2  # each retry counted once, under the channel that failed


def test_after_the_last_attempt_the_notice_is_failed_and_shown_for_retry(
    sqlite_db, tmp_path, clock, store, smtp
):
    app = _smtp_app(sqlite_db, tmp_path, clock, smtp, NOTICE_MAX_ATTEMPTS=2)
    smtp.refuse_next = 100
    people = people_on(app)
    submitted_startup(app.extensions["workflow"], people, store)
    runner = app.test_cli_runner()
    for _ in range(3):
        clock.advance(minutes=5)
        runner.invoke(args=["tick"])
    [row] = outbox(app)
    assert row["status"] == "failed" and row["attempts"] == 2
    assert row["last_error"].startswith("gave up after 2 attempts")
    smtp.refuse_next = 0
    assert "1 notice(s)" in runner.invoke(args=["notices", "retry"]).output
    assert outbox(app)[0]["status"] == "sent" and len(smtp.messages) == 1


def test_an_english_recipient_gets_an_english_letter(sqlite_db, tmp_path, clock, store, smtp):
    from tests.notices.helpers import execute

    app = _smtp_app(sqlite_db, tmp_path, clock, smtp)
    people = people_on(app)
    execute(
        app,
        "UPDATE users SET language = 'en', organisation = 'HealthOn Inc.' WHERE id = :id",
        id=people.applicant.id,
    )
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, store)
    assert workflow.fire(app_id, "select", people.officer).ok
    with workflow.db.connect() as connection:
        content = connection.execute(select(Letter.content)).scalar_one()
    path = tmp_path / "letter-en.pdf"
    path.write_bytes(content)
    text = " ".join(pdf_text(path).split())
    for phrase in (
        "To applicant, HealthOn Inc.",
        "4 May 2026",
        f"[Digital-healthcare startup support] Selected for funding (#{app_id})",
        "a. Award: KRW 45,000,000",
        "Director, Gangwon Digital Healthcare Innovation Cluster Agency",
        "Page 1 of 1",
    ):
        assert phrase in text, phrase
