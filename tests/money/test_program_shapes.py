"""The money shapes of the shipped programs, on fixture rule files, under random amounts and dates:
recovery pro rata to the years not kept (investment incentive), a partial settlement with the rest back to
the budget (voucher), claims in a foreign currency booked at the rate of the claim date (global cooperation).
After every example the database's own invariants are read back (tests/money/helpers.assert_invariants)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import FIXTURES, Clock, make_workflow
from tests.money.helpers import assert_invariants
from workflow.db import make_engine
from workflow.engine.actors import load_actor
from workflow.models import Award, LedgerEntry
from workflow.money.fx import parse_rate, record_rate, to_krw
from workflow.services.users import create_user

SHAPES = FIXTURES / "programs"
SETTINGS = {
    "deadline": None,
    "max_examples": 15,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


class Shape:
    """A fresh database with one fixture program, its staff and an applicant."""

    def __init__(self, template, folder, key: str):
        path = folder / "shape.sqlite3"
        shutil.copy(template, path)
        rules = folder / "rules"
        rules.mkdir()
        shutil.copy(SHAPES / f"{key}.yaml", rules / f"{key}.yaml")
        self.engine = make_engine(f"sqlite:///{path}")
        self.clock = Clock(datetime(2026, 5, 4, 1, 0, tzinfo=UTC))
        self.workflow = make_workflow(self.engine, self.clock, rules)
        roles = [("officer", key), ("finance", key)]
        with self.engine.begin() as connection:
            ids = [
                create_user(connection, "firm@test.kr", "firm"),
                create_user(connection, "staff@test.kr", "staff", roles=roles),
            ]
        with self.engine.connect() as connection:
            self.applicant, self.staff = (load_actor(connection, i) for i in ids)

    def fire(self, app_id, trigger, data=None):
        actor = self.applicant if trigger.startswith("submit") else self.staff
        result = self.workflow.fire(app_id, trigger, actor, data=data)
        assert result.ok, (trigger, result.reason("en"))

    def ledger(self, app_id) -> list[tuple]:
        with self.engine.connect() as connection:
            return [
                tuple(row)
                for row in connection.execute(
                    select(
                        LedgerEntry.kind,
                        LedgerEntry.amount,
                        LedgerEntry.fx_currency,
                        LedgerEntry.fx_amount_cents,
                    )
                    .where(LedgerEntry.application_id == app_id)
                    .order_by(LedgerEntry.id)
                )
            ]

    def award(self, app_id) -> dict:
        with self.engine.connect() as connection:
            return dict(
                connection.execute(select(Award).where(Award.application_id == app_id)).mappings().one()
            )

    def check(self):
        with self.engine.connect() as connection:
            assert_invariants(connection)


@settings(**SETTINGS)
@given(
    amount=st.integers(3, 1_000_000_000),  # a third of it is at least 1 won
    kept=st.integers(0, 2),
    gaps=st.tuples(st.integers(0, 400), st.integers(0, 400), st.integers(0, 800)),
)
def test_recovery_pro_rata_to_the_years_not_kept_with_interest(
    sqlite_template, tmp_path_factory, amount, kept, gaps
):
    shape = Shape(sqlite_template, tmp_path_factory.mktemp("incentive"), "obligation-grant")
    app_id = shape.workflow.create("obligation-grant", shape.applicant, {"amount": amount}).application_id
    shape.fire(app_id, "grant")
    paid_days = []
    for gap in gaps[:2]:
        shape.fire(app_id, "pay")
        paid_days.append(shape.clock.now)
        shape.clock.advance(days=gap)
    shape.fire(app_id, "breach", {"years_kept": kept})
    shape.clock.advance(days=gaps[2])
    shape.fire(app_id, "recover")

    first, second = amount // 2, amount - amount // 2
    principal = amount * (3 - kept) // 3
    # the earliest payment is recovered first; interest runs from each payment's day to today
    from_first = min(first, principal)
    days = [(shape.clock.now.date() - day.date()).days for day in paid_days]
    owed = (Decimal(from_first) * days[0] + Decimal(principal - from_first) * days[1]) * Decimal("0.05") / 365
    interest = int(owed.to_integral_value(ROUND_FLOOR))
    award = shape.award(app_id)
    assert (award["paid"], award["recovered"], award["interest"]) == (amount, principal, interest)
    kinds = [(kind, value) for kind, value, *_ in shape.ledger(app_id)]
    assert kinds[:3] == [("commit", amount), ("pay", first), ("pay", second)]
    assert kinds[3] == ("recover", principal) and kinds[4:] == ([("interest", interest)] if interest else [])
    assert principal <= award["paid"], "recovered principal never exceeds what was paid"
    shape.check()


@settings(**SETTINGS)
@given(amount=st.integers(1, 1_000_000_000), approved=st.integers(2, 2_000_000_000))
def test_settlement_pays_its_share_of_the_approved_amount_and_returns_the_rest(
    sqlite_template, tmp_path_factory, amount, approved
):
    shape = Shape(sqlite_template, tmp_path_factory.mktemp("voucher"), "settlement-grant")
    app_id = shape.workflow.create("settlement-grant", shape.applicant, {"amount": amount}).application_id
    shape.fire(app_id, "grant")
    shape.fire(app_id, "approve", {"approved_total": approved})
    shape.fire(app_id, "pay")
    paid = min(approved * 70 // 100, amount)
    award = shape.award(app_id)
    assert (award["paid"], award["released"]) == (paid, amount - paid)
    kinds = [(kind, value) for kind, value, *_ in shape.ledger(app_id)]
    rest = [("release", amount - paid)] if amount > paid else []
    assert kinds == [("commit", amount), ("pay", paid), *rest]
    shape.check()


RATES = {"USD": "1385.20", "EUR": "1502.75"}
CLAIM = st.tuples(
    st.sampled_from(["KRW", "USD", "EUR"]),
    st.integers(1, 5_000_000),  # hundredths of the currency (whole won for KRW)
    st.integers(0, 40),  # days before today that it was spent
)


@settings(**SETTINGS)
@given(amount=st.integers(1_000_000, 1_000_000_000), claims=st.lists(CLAIM, min_size=1, max_size=6))
def test_claims_are_booked_at_the_rate_of_their_day_and_never_above_what_is_due(
    sqlite_template, tmp_path_factory, amount, claims
):
    shape = Shape(sqlite_template, tmp_path_factory.mktemp("claims"), "claims-grant")
    today = shape.clock.now.date()
    with (
        shape.engine.begin() as connection
    ):  # a rate 30 days ago, another 10 days ago: claims take their day's
        for currency, rate in RATES.items():
            record_rate(connection, currency, rate, today - timedelta(days=30), None, "test", shape.clock.now)
            record_rate(
                connection, currency, "1400", today - timedelta(days=10), None, "test", shape.clock.now
            )
    app_id = shape.workflow.create("claims-grant", shape.applicant, {"amount": amount}).application_id
    shape.fire(app_id, "grant")
    expected_paid, booked = 0, []
    for currency, units, days_ago in claims:
        day = today - timedelta(days=days_ago)
        value = f"{units}.00" if currency == "KRW" else f"{units // 100}.{units % 100:02d}"
        data = {"claim_currency": currency, "claim_amount": value, "claim_date": day.isoformat()}
        assert shape.workflow.save_draft(app_id, shape.applicant, data).ok
        result = shape.workflow.fire(app_id, "pay_claim", shape.staff)
        if currency == "KRW":
            krw, rate = units, None
        elif days_ago > 30:
            assert not result.ok and result.refusal.code == "no_rate"  # nothing recorded that early
            continue
        else:
            rate = parse_rate("1400" if days_ago <= 10 else RATES[currency])
            krw = to_krw(units, rate)
        if krw == 0 or expected_paid + krw > amount:
            assert not result.ok, (currency, units, krw)  # a zero or a claim above what is due is refused
            continue
        assert result.ok, result.reason("en")
        expected_paid += krw
        booked.append(("pay", krw, None if rate is None else currency, None if rate is None else units))
    shape.fire(app_id, "close")
    award = shape.award(app_id)
    assert (award["paid"], award["released"]) == (expected_paid, amount - expected_paid)
    payments = [row for row in shape.ledger(app_id) if row[0] == "pay"]
    assert payments == booked, "each claim's ledger row keeps its own currency and amount"
    shape.check()


# The fixtures above stand for the shipped programs' money steps: (fixture, its trigger, shipped program, its
# trigger). A shipped file whose money effects drift from its fixture fails here, so the properties above
# keep speaking for it.
SHIPPED_SHAPES = [
    ("obligation-grant", "recover", "investment-incentive", "record_recovery"),
    ("settlement-grant", "pay", "company-voucher", "pay_supplier"),
    ("claims-grant", "pay_claim", "global-cooperation", "pay_claim"),
    ("claims-grant", "close", "global-cooperation", "close"),
]


def _money_effects(folder, key: str, trigger: str) -> list[tuple]:
    from tests.conftest import TEMPLATES_DIR
    from workflow.definitions.loader import load_file
    from workflow.definitions.registry import NoticeTemplates

    program = load_file(folder / f"{key}.yaml", NoticeTemplates(TEMPLATES_DIR)).program
    assert program is not None, key
    effects = [effect for t in program.transitions if t.trigger == trigger for effect in t.effects]
    assert effects, f"{key}: {trigger} has no effect"
    return [(kind.name, params) for kind, params in effects if "budget" in kind.requires]


@pytest.mark.parametrize(("fixture", "step", "key", "trigger"), SHIPPED_SHAPES, ids=lambda v: str(v))
def test_each_shape_fixture_has_the_money_effects_of_its_shipped_program(fixture, step, key, trigger):
    from tests.conftest import RULES_DIR

    assert _money_effects(SHAPES, fixture, step) == _money_effects(RULES_DIR, key, trigger)
