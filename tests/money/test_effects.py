"""Awards, tranches, payments, recoveries with interest, foreign currency and fiscal years, through fire."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text

from tests.conftest import make_workflow
from tests.money.helpers import RULES, assert_invariants, submitted
from workflow.models import Award, LedgerEntry, ProgramBudget, Tranche
from workflow.money import fx


def _award(workflow, app_id):
    with workflow.db.connect() as connection:
        return connection.execute(select(Award).where(Award.application_id == app_id)).mappings().one()


def _budget(workflow, key, year=2026):
    with workflow.db.connect() as connection:
        return (
            connection.execute(
                select(ProgramBudget).where(
                    ProgramBudget.program_key == key, ProgramBudget.fiscal_year == year
                )
            )
            .mappings()
            .one()
        )


def test_budget_refusal_names_remaining_and_requested(money, staff):
    big = submitted(money, staff, requested=77_000_000)
    assert money.fire(big, "approve", staff.officer).ok
    small = submitted(money, staff, requested=5_000_000)
    refused = money.fire(small, "approve", staff.officer)
    assert not refused.ok and refused.refusal.code == "budget_exceeded"
    assert (
        refused.reason("en") == "Not enough budget: remaining budget KRW 3,000,000, requested KRW 5,000,000."
    )
    assert refused.reason("ko") == "예산이 부족합니다: 잔액 3,000,000원, 요청 5,000,000원."
    assert refused.state is None or refused.state == "submitted"
    with money.db.connect() as connection:
        assert connection.execute(select(Award).where(Award.application_id == small)).first() is None
        assert_invariants(connection)


def test_a_stale_early_budget_check_cannot_over_commit(money, staff, monkeypatch):
    """The early refusal reads the budget; if that read is stale (another approval committed since),
    the conditional UPDATE still refuses, with the numbers as they are now."""
    from workflow.money import awards

    big = submitted(money, staff, requested=77_000_000)
    assert money.fire(big, "approve", staff.officer).ok
    real = awards.budget_of_year

    def stale(connection, key, year):
        budget, total, _used = real(connection, key, year)
        return budget, total, 0  # as read before the first approval committed

    monkeypatch.setattr(awards, "budget_of_year", stale)
    small = submitted(money, staff, requested=5_000_000)
    refused = money.fire(small, "approve", staff.officer)
    assert refused.refusal.code == "budget_exceeded"
    assert "remaining budget KRW 3,000,000, requested KRW 5,000,000" in refused.reason("en")
    with money.db.connect() as connection:
        assert connection.execute(select(Award).where(Award.application_id == small)).first() is None
        assert connection.execute(
            text("SELECT state FROM applications WHERE id = :i"), {"i": small}
        ).scalar() == ("submitted")
        assert_invariants(connection)


def test_tranches_need_their_trigger_and_their_condition(money, staff):
    app_id = submitted(money, staff, requested=10_000_000)
    assert money.fire(app_id, "approve", staff.officer).ok
    first = money.fire(app_id, "pay", staff.finance)
    assert first.ok, first.reason("en")
    held = money.fire(app_id, "pay", staff.finance)
    assert held.refusal.code == "tranche_not_due"
    assert "accept_report" in held.reason("en")
    assert money.fire(app_id, "accept_report", staff.officer).ok
    unmet = money.fire(app_id, "pay", staff.finance)
    assert unmet.refusal.code == "tranche_condition_unmet"
    assert (
        unmet.reason("en") == "The condition for tranche 2 (KRW 5,000,000) is not met: data.spent_to_date > 0"
    )
    assert "2차 분할금 5,000,000원" in unmet.reason("ko")
    assert money.save_draft(app_id, staff.applicant, {"spent_to_date": 4_000_000}).ok
    assert money.fire(app_id, "pay", staff.finance).ok
    award = _award(money, app_id)
    assert (award["amount"], award["paid"]) == (10_000_000, 10_000_000)
    with money.db.connect() as connection:
        paid = connection.execute(
            select(Tranche.paid_by, Tranche.status).where(Tranche.award_id == award["id"])
        )
        assert {tuple(row) for row in paid} == {(staff.finance.id, "paid")}
        assert_invariants(connection)


def test_recovery_books_principal_and_interest_separately(money, staff, clock):
    app_id = submitted(money, staff, requested=10_000_000)
    assert money.fire(app_id, "approve", staff.officer).ok
    assert money.fire(app_id, "pay", staff.finance).ok  # 5,000,000원 paid today
    above = money.fire(app_id, "recover", staff.finance, data={"recovery_amount": 6_000_000})
    assert above.refusal.code == "recovery_above_paid"
    assert above.reason("en") == (
        "Recovery above what was paid: paid KRW 5,000,000, recovered KRW 0, requested KRW 6,000,000."
    )
    assert money.fire(app_id, "terminate", staff.officer).ok  # the unpaid 5,000,000원 goes back
    assert _budget(money, "tiny-grant")["committed"] == 5_000_000
    clock.advance(days=73)
    recovered = money.fire(app_id, "recover", staff.finance, data={"recovery_amount": 2_000_000})
    assert recovered.ok, recovered.reason("en")
    award = _award(money, app_id)
    # 2,000,000원 × 5% × 73/365 = 20,000원 interest, booked apart from the principal
    assert (award["paid"], award["recovered"], award["interest"]) == (5_000_000, 2_000_000, 20_000)
    budget = _budget(money, "tiny-grant")
    assert (budget["paid"], budget["recovered"], budget["interest"]) == (5_000_000, 2_000_000, 20_000)
    assert budget["total"] - budget["committed"] == 75_000_000  # recovered money is not re-spendable budget
    with money.db.connect() as connection:
        kinds = [row.kind for row in connection.execute(select(LedgerEntry.kind).order_by(LedgerEntry.id))]
        assert kinds == ["commit", "pay", "release", "recover", "interest"]
        assert_invariants(connection)


def test_full_recovery_and_nothing_left(money, staff):
    app_id = submitted(money, staff, requested=4_000_000)
    assert money.fire(app_id, "approve", staff.officer).ok
    assert money.fire(app_id, "pay", staff.finance).ok
    assert money.fire(app_id, "recover_all", staff.finance).ok
    award = _award(money, app_id)
    assert (award["recovered"], award["interest"]) == (2_000_000, 0)
    again = money.fire(app_id, "recover_all", staff.finance)
    assert again.refusal.code == "nothing_to_recover"
    assert again.reason("en") == "Nothing to recover: paid KRW 2,000,000, already recovered KRW 2,000,000."


def _global(money, staff, usd=10_000, own_cash=5_000_000, in_kind=0):
    data = {
        "company_name": "Nordic Health AB",
        "requested_usd": usd,
        "own_cash": own_cash,
        "in_kind": in_kind,
    }
    created = money.create("global-grant", staff.applicant, data)
    assert created.ok, created.reason("en")
    assert money.fire(created.application_id, "submit", staff.applicant).ok
    return created.application_id


def test_foreign_currency_is_shown_in_usd_and_booked_in_krw(money, staff, clock):
    app_id = _global(money, staff, usd=10_001)
    missing = money.fire(app_id, "approve", staff.officer)
    assert missing.refusal.code == "no_rate"
    assert (
        missing.reason("en") == "No USD rate is recorded for 2026-05-04; finance must record the rate first."
    )
    with money.db.begin() as connection:
        fx.record_rate(
            connection, "USD", "1,385.20", date(2026, 5, 1), staff.finance.id, "매매기준율", clock()
        )
        fx.record_rate(connection, "USD", "1,500.00", date(2026, 6, 1), staff.finance.id, "later", clock())
    assert money.fire(app_id, "approve", staff.officer).ok
    award = _award(money, app_id)
    # 10,001.00 USD × 1,385.20 = 13,853,385.20 → 13,853,385원 booked
    assert (award["fx_currency"], award["fx_amount_cents"], award["fx_rate_e4"]) == (
        "USD",
        1_000_100,
        13_852_000,
    )
    assert award["amount"] == 13_853_385
    with money.db.connect() as connection:
        tranches = connection.execute(
            select(Tranche.amount, Tranche.fx_amount_cents)
            .where(Tranche.award_id == award["id"])
            .order_by(Tranche.seq)
        ).all()
    assert [tuple(t) for t in tranches] == [(6_926_693, 500_050), (6_926_692, 500_050)]
    assert money.fire(app_id, "pay", staff.finance).ok
    with money.db.connect() as connection:
        pay = connection.execute(select(LedgerEntry).where(LedgerEntry.kind == "pay")).mappings().one()
        assert (pay["amount"], pay["fx_currency"], pay["fx_amount_cents"], pay["fx_rate_e4"]) == (
            6_926_693,
            "USD",
            500_050,
            13_852_000,
        )
        assert_invariants(connection)
    assert fx.format_foreign(award["fx_amount_cents"], "USD") == "USD 10,001.00"


def test_awards_charge_the_fiscal_year_they_are_made_in(money, staff, clock):
    with money.db.begin() as connection:
        fx.record_rate(connection, "USD", "1400", date(2026, 1, 1), None, None, clock())
    first = _global(money, staff, usd=10_000)
    later = _global(money, staff, usd=20_000, own_cash=10_000_000)
    assert money.fire(first, "approve", staff.officer).ok
    clock.advance(days=250)  # 2027-01-09 in Seoul
    assert money.fire(later, "approve", staff.officer).ok
    assert _budget(money, "global-grant", 2026)["committed"] == 14_000_000
    assert _budget(money, "global-grant", 2027)["committed"] == 28_000_000
    assert _budget(money, "global-grant", 2027)["total"] == 50_000_000


def test_matching_limits_name_the_shares(money, staff, clock):
    with money.db.begin() as connection:
        fx.record_rate(connection, "USD", "1000", date(2026, 1, 1), None, None, clock())
    too_much = _global(money, staff, usd=10_000, own_cash=2_000_000, in_kind=1_000_000)
    refused = money.fire(too_much, "approve", staff.officer)
    assert refused.refusal.code == "matching_government_share"
    assert refused.reason("en") == (
        "The grant of KRW 10,000,000 is 76.9% of the total cost KRW 13,000,000, above the limit of 75.0%."
    )
    little_cash = _global(money, staff, usd=10_000, own_cash=1_000_000, in_kind=3_000_000)
    refused = money.fire(little_cash, "approve", staff.officer)
    assert refused.refusal.code == "matching_cash_share"
    assert "7.1%" in refused.reason("en") and "10.0%" in refused.reason("ko")


def test_a_payment_above_the_award_is_refused_even_if_a_tranche_is_wrong(money, staff):
    """Defence in depth: a tranche row corrupted by hand still cannot pay more than the award."""
    app_id = submitted(money, staff, requested=10_000_000)
    assert money.fire(app_id, "approve", staff.officer).ok
    assert money.fire(app_id, "pay", staff.finance).ok
    with money.db.begin() as connection:
        connection.execute(text("UPDATE tranches SET amount = amount + 1 WHERE seq = 2"))
    assert money.fire(app_id, "accept_report", staff.officer).ok
    assert money.save_draft(app_id, staff.applicant, {"spent_to_date": 1}).ok
    refused = money.fire(app_id, "pay", staff.finance)
    assert refused.refusal.code == "payment_above_award"
    assert refused.reason("en") == (
        "Payment above the award: award KRW 10,000,000, paid KRW 5,000,000, requested KRW 5,000,001."
    )
    assert _award(money, app_id)["paid"] == 5_000_000


def test_a_new_version_may_raise_the_budget_but_not_cut_below_commitments(
    money, staff, db_engine, clock, tmp_path
):
    assert money.fire(submitted(money, staff, requested=20_000_000), "approve", staff.officer).ok
    source = (RULES / "tiny-grant.yaml").read_text()
    for total, expected in ((90_000_000, None), (10_000_000, "below the 20,000,000원 already committed")):
        folder = tmp_path / str(total)
        folder.mkdir()
        (folder / "tiny-grant.yaml").write_text(
            source.replace('version: "2026.1"', f'version: "{total}"').replace(
                "total: 80000000", f"total: {total}"
            )
        )
        registry = make_workflow(db_engine, clock, folder).registry
        problems = registry.publish_all(db_engine)
        assert [p.message for p in problems if expected and expected in p.message] == (
            [f"budget 2026 of {total:,}원 is below the 20,000,000원 already committed"] if expected else []
        )
    assert _budget(money, "tiny-grant")["total"] == 90_000_000
