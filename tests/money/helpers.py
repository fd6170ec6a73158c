"""Shared by the money tests (and by the worker processes they spawn): staff, applications, invariants."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, func, select

from workflow.engine.actors import Actor, load_actor
from workflow.models import Award, LedgerEntry, ProgramBudget, Tranche
from workflow.services.finance import reconcile
from workflow.services.users import create_user

RULES = Path(__file__).parent / "rules"
PROGRAMS = ("tiny-grant", "global-grant", "project", "project-claim")


@dataclass
class Staff:
    applicant: Actor
    officer: Actor
    finance: Actor


def make_staff(engine) -> Staff:
    with engine.begin() as connection:
        ids = {
            "applicant": create_user(connection, "firm@test.kr", "firm", roles=[]),
            "officer": create_user(
                connection, "officer@test.kr", "officer", roles=[("officer", p) for p in PROGRAMS]
            ),
            "finance": create_user(
                connection, "finance@test.kr", "finance", roles=[("finance", p) for p in PROGRAMS]
            ),
        }
    with engine.connect() as connection:
        return Staff(**{name: load_actor(connection, user_id) for name, user_id in ids.items()})


def submitted(workflow, staff: Staff, requested: int = 5_000_000, own_cash: int = 2_000_000) -> int:
    """A tiny-grant application waiting for approval."""
    data = {"company_name": "강원바이오", "requested_amount": requested, "own_cash": own_cash}
    created = workflow.create("tiny-grant", staff.applicant, data)
    assert created.ok, created.reason("en")
    result = workflow.fire(created.application_id, "submit", staff.applicant)
    assert result.ok, result.reason("en")
    return created.application_id


def _sum(kind: str):
    return func.coalesce(func.sum(case((LedgerEntry.kind == kind, LedgerEntry.amount), else_=0)), 0)


def assert_invariants(connection) -> None:
    """Every money invariant, read back from the database: limits, and ledger sums == totals
    (computed here independently, and by the auditor's `finance.reconcile`)."""
    assert reconcile(connection) == []
    for budget in connection.execute(select(ProgramBudget)).mappings():
        assert 0 <= budget["recovered"] <= budget["paid"] <= budget["committed"] <= budget["total"], budget
        sums = connection.execute(
            select(_sum("commit") - _sum("release"), _sum("pay"), _sum("recover"), _sum("interest")).where(
                LedgerEntry.budget_id == budget["id"]
            )
        ).one()
        assert tuple(sums) == (budget["committed"], budget["paid"], budget["recovered"], budget["interest"])
        awards = connection.execute(
            select(
                func.coalesce(func.sum(Award.amount - Award.released), 0),
                func.coalesce(func.sum(Award.paid), 0),
                func.coalesce(func.sum(Award.recovered), 0),
            ).where(Award.budget_id == budget["id"])
        ).one()
        assert tuple(awards) == (budget["committed"], budget["paid"], budget["recovered"])
    for award in connection.execute(select(Award)).mappings():
        assert 0 <= award["recovered"] <= award["paid"] <= award["amount"] - award["released"], award
        sums = connection.execute(
            select(_sum("commit"), _sum("release"), _sum("pay"), _sum("recover"), _sum("interest")).where(
                LedgerEntry.award_id == award["id"]
            )
        ).one()
        assert tuple(sums) == (
            award["amount"],
            award["released"],
            award["paid"],
            award["recovered"],
            award["interest"],
        )
        tranches = connection.execute(
            select(Tranche.amount, Tranche.status).where(Tranche.award_id == award["id"])
        ).all()
        if tranches:  # an award paid only through claims has none
            assert sum(amount for amount, _ in tranches) == award["amount"]
        # payments are the paid tranches and the claims paid from the award (pay_from_parent)
        claims = connection.execute(
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.award_id == award["id"],
                LedgerEntry.kind == "pay",
                LedgerEntry.application_id != award["application_id"],
            )
        ).scalar_one()
        assert sum(amount for amount, status in tranches if status == "paid") + claims == award["paid"]
