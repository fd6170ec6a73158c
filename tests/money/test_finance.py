"""Finance read models and operations: budgets, schedules, CSV, disbursing and recovering through fire."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from tests.factories import AGREEMENT, reviewed_startup
from tests.money.helpers import assert_invariants, submitted
from workflow.engine.actors import load_actor
from workflow.models import HistoryEvent, OutboxMessage
from workflow.services import finance
from workflow.services.users import create_user


def test_budget_overview_and_award_schedule(money, staff):
    app_id = submitted(money, staff, requested=10_000_000)
    assert money.fire(app_id, "approve", staff.officer).ok
    paid = finance.disburse(money, app_id, staff.finance)
    assert paid.ok, paid.reason("en")
    with money.db.connect() as connection:
        (tiny,) = finance.budgets(connection, "tiny-grant")
        schedule = finance.award_schedule(connection, app_id)
        awards = finance.program_awards(connection, money.registry.latest("tiny-grant"))
    assert (tiny["total"], tiny["committed"], tiny["paid"], tiny["available"], tiny["awards"]) == (
        80_000_000,
        10_000_000,
        5_000_000,
        70_000_000,
        1,
    )
    first, second = schedule["tranches"]
    assert (first["status"], first["paid_by"], first["amount"]) == ("paid", "finance", 5_000_000)
    assert (second["status"], second["release_on"], second["paid_at"]) == ("scheduled", "accept_report", None)
    assert [e["kind"] for e in schedule["ledger"]] == ["commit", "pay"]
    assert awards[0]["title"] == "강원바이오" and awards[0]["next"]["seq"] == 2


def test_disbursing_goes_through_fire_and_sends_the_payment_notice(workflow, people, store):
    app_id = reviewed_startup(workflow, people, store)
    assert workflow.fire(app_id, "select", people.officer).ok
    assert workflow.fire(app_id, "sign_agreement", people.applicant, data=AGREEMENT).ok
    result = finance.disburse(workflow, app_id, people.finance)
    assert result.ok, result.reason("en")
    assert result.state == "in_progress"
    with workflow.db.connect() as connection:
        event = connection.execute(
            select(HistoryEvent.trigger, HistoryEvent.actor_id)
            .where(HistoryEvent.seq == result.event_seq)
            .where(HistoryEvent.application_id == app_id)
        ).one()
        notices = (
            connection.execute(select(OutboxMessage.notice).where(OutboxMessage.id.in_(result.outbox_ids)))
            .scalars()
            .all()
        )
        schedule = finance.award_schedule(connection, app_id)
        assert_invariants(connection)
    assert tuple(event) == ("pay_first_tranche", people.finance.id)
    assert "payment" in notices
    assert schedule["tranches"][0]["paid_by"] == people.finance.name
    again = finance.disburse(workflow, app_id, people.finance)
    assert again.refusal.code == "no_money_action"
    assert not finance.disburse(workflow, app_id, people.officer).ok


def test_recording_a_recovery_and_the_csv_export(money, staff, clock):
    app_id = submitted(money, staff, requested=8_000_000)
    assert money.fire(app_id, "approve", staff.officer).ok
    assert finance.disburse(money, app_id, staff.finance).ok
    clock.advance(days=365)
    recovered = finance.record_recovery(money, app_id, staff.finance, 1_000_000)
    assert recovered.ok, recovered.reason("en")
    with money.db.connect() as connection:
        text = finance.ledger_csv(connection, "tiny-grant", "en")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:6] == ["No.", "Time (KST)", "Fiscal year", "Application", "Kind", "Amount (KRW)"]
    assert [(r[4], r[5]) for r in rows[1:]] == [
        ("Committed", "8000000"),
        ("Paid", "4000000"),
        ("Recovered (principal)", "1000000"),
        ("Recovered (interest)", "50000"),
    ]
    assert rows[1][1] == "2026-05-04 10:00"


def _global_finance(money):
    with money.db.begin() as connection:
        user_id = create_user(connection, "treasury@test.kr", "treasury", roles=[("finance", None)])
    with money.db.connect() as connection:
        return load_actor(connection, user_id)


def test_rates_are_recorded_by_finance_once_a_day(money, staff):
    treasury = _global_finance(money)
    assert finance.add_rate(money, treasury, "usd", "1,385.2", date(2026, 5, 1), "매매기준율") is None
    twice = finance.add_rate(money, treasury, "USD", "1390", date(2026, 5, 1), None)
    assert twice.code == "rate_exists"
    assert (
        finance.add_rate(money, staff.officer, "USD", "1390", date(2026, 5, 2), None).code
        == "role_not_allowed"
    )
    for rate in ("-3", "١٣٩٠", "NaN", "Infinity", "1e309", "99999999999999999999"):
        assert finance.add_rate(money, treasury, "USD", rate, date(2026, 5, 2), None).code == "amount_invalid"
    assert (
        finance.add_rate(money, treasury, "ＵＳＤ", "1390", date(2026, 5, 2), None).code == "amount_invalid"
    )
    with money.db.connect() as connection:
        assert [r["rate"] for r in finance.rates(connection)] == ["1,385.20"]


def test_exchange_rates_are_global_so_a_program_finance_officer_may_not_set_them(money, staff):
    refused = finance.add_rate(money, staff.finance, "USD", "1390", date(2026, 5, 2), None)
    assert refused.code == "role_not_allowed"
    with money.db.connect() as connection:
        assert finance.rates(connection) == []
