"""Recovery: principal (never above what was paid) and interest, booked as separate ledger kinds."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import select, update

from workflow.models import Award, ProgramBudget, Tranche
from workflow.money.fx import seoul_day
from workflow.money.ledger import award_of, fresh_award, ledger_row
from workflow.vocabulary.effects import EffectContext, EffectRefused
from workflow.vocabulary.messages import Message, krw_text

DAYS_PER_YEAR = 365


def recover(context: EffectContext, params) -> None:
    """Book recovered principal (≤ paid) and, separately, interest at the rule file's yearly rate."""
    connection = context.connection
    current = award_of(context)
    outstanding = current["paid"] - current["recovered"]
    if params.full and outstanding <= 0:
        raise EffectRefused(
            Message(
                "nothing_to_recover",
                {"paid": krw_text(current["paid"]), "recovered": krw_text(current["recovered"])},
            )
        )
    principal = outstanding if params.full else _principal(context, params, current)
    ledger_row(context, current, "recover", principal)
    recovered = connection.execute(
        update(Award)
        .where(Award.id == current["id"], Award.recovered + principal <= Award.paid)
        .values(recovered=Award.recovered + principal)
    )
    if recovered.rowcount != 1:
        now = fresh_award(connection, current["id"])
        raise EffectRefused(
            Message(
                "recovery_above_paid",
                {
                    "paid": krw_text(now["paid"]),
                    "recovered": krw_text(now["recovered"]),
                    "requested": krw_text(principal),
                },
            )
        )
    connection.execute(
        update(ProgramBudget)
        .where(ProgramBudget.id == current["budget_id"])
        .values(recovered=ProgramBudget.recovered + principal)
    )
    interest = recovery_interest(connection, current, principal, params.interest_rate, context.now)
    if interest > 0:
        ledger_row(context, current, "interest", interest)
        connection.execute(
            update(Award).where(Award.id == current["id"]).values(interest=Award.interest + interest)
        )
        connection.execute(
            update(ProgramBudget)
            .where(ProgramBudget.id == current["budget_id"])
            .values(interest=ProgramBudget.interest + interest)
        )


def _principal(context: EffectContext, params, current: dict) -> int:
    """The amount expression's value, or `share` of what was paid (`of: paid`) or of the award, floored."""
    if params.share is None:
        return context.amount(params.amount)
    base = current["paid"] if params.of == "paid" else current["amount"]
    return int((Decimal(base) * Decimal(str(params.share))).to_integral_value(ROUND_FLOOR))


def recovery_interest(connection, award: dict, principal: int, yearly_rate: float, now) -> int:
    """Simple interest on `principal`, each won counted from the day the tranche it came from was paid.

    Earlier recoveries are taken from the earliest payments first (first in, first out); the sum
    is floored to the won once, at the end.
    """
    if not yearly_rate or principal <= 0:
        return 0
    payments = connection.execute(
        select(Tranche.amount, Tranche.paid_at)
        .where(Tranche.award_id == award["id"], Tranche.status == "paid")
        .order_by(Tranche.paid_at, Tranche.seq)
    ).all()
    skip, left, owed = award["recovered"], principal, Decimal(0)
    today = seoul_day(now)
    for amount, paid_at in payments:
        taken = min(amount, skip)
        skip -= taken
        part = min(amount - taken, left)
        if part <= 0:
            continue
        left -= part
        days = max((today - seoul_day(paid_at)).days, 0)
        owed += Decimal(part) * Decimal(str(yearly_rate)) * days / DAYS_PER_YEAR
    return int(owed.to_integral_value(ROUND_FLOOR))
