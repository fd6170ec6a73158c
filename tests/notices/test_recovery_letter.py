"""The recovered principal and interest are variables the recovery notice and letter print, and rows of the
letter's money table."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import rules_folder
from tests.money.test_money_order import FIXTURE, approved, people_of
from tests.notices.conftest import make_app
from tests.notices.helpers import pdf_text
from workflow.models import Letter, OutboxMessage


def test_the_recovery_notice_and_letter_print_principal_and_interest(sqlite_db, tmp_path, clock):
    rules = rules_folder(tmp_path, FIXTURE)
    app = make_app(sqlite_db, tmp_path, clock, RULES_DIR=str(rules))
    workflow = app.extensions["workflow"]
    who = people_of(workflow.db)
    app_id = approved(workflow, who)
    assert workflow.fire(app_id, "terminate", who["officer"], reason="협약 위반").ok
    clock.advance(days=73)
    assert workflow.fire(app_id, "recover_half_paid", who["finance"]).ok
    with workflow.db.connect() as connection:
        outbox_id = connection.execute(
            select(OutboxMessage.id).where(OutboxMessage.notice == "recovered")
        ).scalar_one()
        letter = connection.execute(select(Letter).where(Letter.outbox_id == outbox_id)).mappings().one()
    path = tmp_path / "recovery.pdf"
    path.write_bytes(letter["content"])
    text = pdf_text(path)
    for line in ("가. 환수 원금: 5,000,000원", "나. 환수 이자: 50,000원", "다. 합계: 5,050,000원"):
        assert line in text, text
    for label, amount in (
        ("환수 원금", "5,000,000원"),
        ("환수 이자", "50,000원"),
        ("누적 지급액", "10,000,000원"),
    ):
        assert label in text and amount in text  # the money table's rows


def test_an_obligation_recovery_without_a_staff_reason_names_the_missed_report():
    """A recovery fired by a deadline (a yearly report not filed) carries no reason: the notice and the letter
    say what was breached instead of skipping the item (the letter's items still start at 가)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from tests.conftest import TEMPLATES_DIR

    facts = {
        "program_title": "투자유치 보조금",
        "application_id": 7,
        "recipient_name": "오투자",
        "paid_amount": "1,560,000,000원",
        "link": "https://grants.example.kr/applications/7",
        "data": {"years_kept": "1"},
    }
    for folder, first in (("letters", "  가. 위반 내용: "), ("notices", "위반 내용: ")):
        env = Environment(
            loader=FileSystemLoader(str(TEMPLATES_DIR.parent / folder)), undefined=StrictUndefined
        )
        template = env.get_template("obligation_recovery.ko.txt")
        missed = template.render(**facts, reason="")
        assert first + "정해진 기한까지 연차 이행실적을 보고하지 않음" in missed
        breach = template.render(**facts, reason="신규고용 30명 중 12명만 유지")
        assert first + "신규고용 30명 중 12명만 유지" in breach and "보고하지 않음" not in breach
        english = env.get_template("obligation_recovery.en.txt").render(**facts, reason="")
        assert "not filed by its deadline" in english
