"""The money shapes of the shipped programs, on fixture rule files, under random amounts and dates:
recovery pro rata to the years not kept (investment incentive), a partial settlement with the rest back to
the budget (voucher), claims in a foreign currency booked at the rate of the claim date (global cooperation).
After every example the database's own invariants are read back (tests/money/helpers.assert_invariants)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import FIXTURES, Clock, make_workflow
from tests.money.helpers import assert_invariants
from workflow.db import make_engine
from workflow.engine.actors import load_actor
from workflow.models import Award, LedgerEntry
from workflow.services.users import create_user

SHAPES = FIXTURES / "programs"
SETTINGS = {
    "deadline": None,
    "max_examples": 25,
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
