"""The award effect: commit against the budget (conditional UPDATE), tranches, co-funding limits."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import bindparam, insert, select, update

from workflow.models import Tranche
from workflow.money.fx import rate_on, seoul_day, to_cents, to_krw
from workflow.money.ledger import AWARDS, BUDGETS, award_year, budget_of_year, ledger_row
from workflow.vocabulary.effects import EffectContext, EffectRefused
from workflow.vocabulary.messages import Message, krw_text

NEW_AWARD = insert(AWARDS).returning(AWARDS.c.id)
NEW_TRANCHES = insert(Tranche.__table__)
# the invariant is in the WHERE clause: a concurrent commit makes this match no row, never over-commit
COMMIT = (
    update(BUDGETS)
    .where(BUDGETS.c.id == bindparam("budget"), BUDGETS.c.committed + bindparam("amount") <= BUDGETS.c.total)
    .values(committed=BUDGETS.c.committed + bindparam("amount"))
)
BUDGET_LEFT = select(BUDGETS.c.total, BUDGETS.c.committed).where(BUDGETS.c.id == bindparam("budget"))


def check_award(context: EffectContext, params) -> None:
    """Before the move is written: the amount, the co-funding limits and the budget left (an early
    refusal; the conditional UPDATE in `award` still decides between concurrent approvals)."""
    fx = _foreign(context, params) if params.currency != "KRW" else None
    amount = fx[2] if fx else context.amount(params.amount)
    if params.matching is not None:
        _check_matching(context, params.matching, amount)
    year = award_year(context.program, context.now)
    found = budget_of_year(context.connection, context.program.key, year)
    if found is None:
        raise EffectRefused(Message("no_budget_year", {"key": context.program.key, "year": year}))
    budget, total, used = found
    if used + amount > total:
        raise _budget_exceeded(total, used, amount)
    context.checked[id(params)] = (fx, amount, budget)


def award(context: EffectContext, params) -> None:
    """Commit the award against the budget; refused (naming the numbers) if the budget is short."""
    if id(params) not in context.checked:
        check_award(context, params)
    fx, amount, budget = context.checked.pop(id(params))
    connection = context.connection
    row = {
        "application_id": context.application.id,
        "budget_id": budget,
        "amount": amount,
        "paid": 0,
        "released": 0,
        "recovered": 0,
        "interest": 0,
        "fx_currency": params.currency if fx else None,
        "fx_amount_cents": fx[0] if fx else None,
        "fx_rate_e4": fx[1] if fx else None,
        "created_at": context.now,
    }
    row["id"] = connection.execute(NEW_AWARD, row).scalar_one()
    parts = _split(context, params, amount, fx) if params.tranches else []
    if parts:
        connection.execute(
            NEW_TRANCHES,
            [
                {
                    "award_id": row["id"],
                    "seq": seq,
                    "amount": krw,
                    "fx_amount_cents": cents,
                    "release_on": spec.release_on,
                    "release_if": spec.release_if,
                    "status": "scheduled" if spec.release_on else "due",
                }
                for seq, (spec, (krw, cents)) in enumerate(zip(params.tranches, parts, strict=True), start=1)
            ],
        )
    ledger_row(context, row, "commit", amount, row["fx_amount_cents"])
    committed = connection.execute(COMMIT, {"budget": budget, "amount": amount})
    if committed.rowcount != 1:
        total, used = connection.execute(BUDGET_LEFT, {"budget": budget}).one()
        raise _budget_exceeded(total, used, amount)


def _budget_exceeded(total: int, used: int, amount: int) -> EffectRefused:
    return EffectRefused(
        Message("budget_exceeded", {"remaining": krw_text(total - used), "requested": krw_text(amount)})
    )


def _foreign(context: EffectContext, params) -> tuple[int, int, int]:
    """(hundredths in the award currency, rate recorded for today, booked KRW)."""
    value = context.evaluate(params.amount)
    cents = to_cents(value)
    if cents is None:
        raise EffectRefused(Message("amount_invalid", {"detail": f"{params.amount} = {value!r}"}))
    day = seoul_day(context.now)
    rate = rate_on(context.connection, params.currency, day)
    if rate is None:
        raise EffectRefused(Message("no_rate", {"currency": params.currency, "day": day.isoformat()}))
    return cents, rate, to_krw(cents, rate)


def _check_matching(context: EffectContext, matching, amount: int) -> None:
    cash = _whole(context, matching.cash)
    total = amount + cash + _whole(context, matching.in_kind)
    limit = Decimal(str(matching.government_max))
    if amount > limit * total:
        raise EffectRefused(
            Message(
                "matching_government_share",
                {
                    "award": krw_text(amount),
                    "total": krw_text(total),
                    "share": _percent(Decimal(amount) / total),
                    "limit": _percent(limit),
                },
            )
        )
    minimum = Decimal(str(matching.cash_min))
    if cash < minimum * total:
        raise EffectRefused(
            Message(
                "matching_cash_share",
                {
                    "cash": krw_text(cash),
                    "total": krw_text(total),
                    "share": _percent(Decimal(cash) / total),
                    "limit": _percent(minimum),
                },
            )
        )


def _whole(context: EffectContext, source: str) -> int:
    value = context.evaluate(source)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise EffectRefused(Message("amount_invalid", {"detail": f"{source} = {value!r}"}))
    return value


def _percent(share: Decimal) -> str:
    return f"{share * 100:.1f}%"


def _split(context: EffectContext, params, total: int, fx) -> list[tuple[int, int | None]]:
    """(KRW, hundredths) per tranche: explicit amounts as given, shares floored, remainder to the last."""
    whole = fx[0] if fx else total

    def part(spec) -> int:
        if spec.share is not None:
            return int((Decimal(whole) * Decimal(str(spec.share))).to_integral_value(ROUND_FLOOR))
        if fx:
            cents = to_cents(context.evaluate(spec.amount))
            if cents is None:
                raise EffectRefused(Message("amount_invalid", {"detail": spec.amount}))
            return cents
        return context.amount(spec.amount)

    parts = [part(spec) for spec in params.tranches]
    parts[-1] += whole - sum(parts)
    if min(parts) <= 0:
        raise EffectRefused(
            Message("amount_invalid", {"detail": f"tranches {parts} do not add up to {whole}"})
        )
    if not fx:
        return [(p, None) for p in parts]
    krw = [to_krw(p, fx[1]) for p in parts[:-1]]
    return [*zip(krw, parts[:-1], strict=True), (total - sum(krw), parts[-1])]
