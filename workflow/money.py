"""Money effects: commit an award against the budget, pay tranches, recover (with interest), cancel.

Every change writes its ledger row first and then moves the totals with a conditional UPDATE whose
WHERE clause carries the invariant (rowcount checked). CHECK constraints and the triggers of
migration 0002 (totals must equal the ledger's sums) make the database refuse anything else.
Never read-then-write: a refused UPDATE refuses the whole fire() and rolls it back.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import func, insert, select, update

from workflow.effects import EffectContext, EffectRefused
from workflow.fx import format_foreign, rate_on, seoul_day, to_cents, to_krw
from workflow.messages import Message, format_krw
from workflow.models import Award, LedgerEntry, ProgramBudget, Tranche

DAYS_PER_YEAR = 365


# budgets -------------------------------------------------------------------------------------
def ensure_budgets(connection, program) -> None:
    """Create or update the program's budget rows: one per fiscal year (`budget.years`) or one."""
    budget = program.spec.budget
    if budget is None:
        return
    totals = budget.years or {program.fiscal_year: budget.total}
    for year, total in totals.items():
        found = connection.execute(
            update(ProgramBudget)
            .where(ProgramBudget.program_key == program.key, ProgramBudget.fiscal_year == year)
            .values(total=total)
        )
        if found.rowcount == 0:
            connection.execute(
                insert(ProgramBudget).values(
                    program_key=program.key,
                    fiscal_year=year,
                    currency=budget.currency,
                    total=total,
                    committed=0,
                    paid=0,
                    recovered=0,
                    interest=0,
                )
            )


def award_year(program, now) -> int:
    """The fiscal year an award made at `now` is charged to (Korea's fiscal year is the calendar year)."""
    budget = program.spec.budget
    return seoul_day(now).year if budget is not None and budget.years else program.fiscal_year


def budget_id(connection, program_key: str, fiscal_year: int) -> int | None:
    return connection.execute(
        select(ProgramBudget.id).where(
            ProgramBudget.program_key == program_key, ProgramBudget.fiscal_year == fiscal_year
        )
    ).scalar()


def _ledger(context: EffectContext, award: dict, kind: str, amount: int, fx_cents: int | None = None):
    context.connection.execute(
        insert(LedgerEntry).values(
            budget_id=award["budget_id"],
            award_id=award["id"],
            application_id=context.application["id"],
            kind=kind,
            amount=amount,
            actor_id=context.actor.id,
            event_seq=context.event_seq,
            at=context.now,
            fx_currency=award["fx_currency"] if fx_cents else None,
            fx_amount_cents=fx_cents,
            fx_rate_e4=award["fx_rate_e4"] if fx_cents else None,
        )
    )


def _award_of(context: EffectContext) -> dict:
    row = (
        context.connection.execute(select(Award).where(Award.application_id == context.application["id"]))
        .mappings()
        .first()
    )
    if row is None:
        raise EffectRefused(Message("no_award"))
    return dict(row)


def _fresh(connection, award_id: int) -> dict:
    return dict(connection.execute(select(Award).where(Award.id == award_id)).mappings().one())


# award ---------------------------------------------------------------------------------------
def award(context: EffectContext, params) -> None:
    """Commit the award against the budget; refused (naming the numbers) if the budget is short."""
    connection, program = context.connection, context.program
    fx = _foreign(context, params) if params.currency != "KRW" else None
    amount = fx[2] if fx else context.amount(params.amount)
    if params.matching is not None:
        _check_matching(context, params.matching, amount)
    year = award_year(program, context.now)
    budget = budget_id(connection, program.key, year)
    if budget is None:
        raise EffectRefused(Message("no_budget_year", {"key": program.key, "year": year}))
    row = {
        "application_id": context.application["id"],
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
    row["id"] = connection.execute(insert(Award).values(**row).returning(Award.id)).scalar_one()
    parts = _split(context, params, amount, fx)
    connection.execute(
        insert(Tranche),
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
    _ledger(context, row, "commit", amount, row["fx_amount_cents"])
    committed = connection.execute(
        update(ProgramBudget)
        .where(ProgramBudget.id == budget, ProgramBudget.committed + amount <= ProgramBudget.total)
        .values(committed=ProgramBudget.committed + amount)
    )
    if committed.rowcount != 1:
        total, used = connection.execute(
            select(ProgramBudget.total, ProgramBudget.committed).where(ProgramBudget.id == budget)
        ).one()
        raise EffectRefused(
            Message(
                "budget_exceeded", {"remaining": format_krw(total - used), "requested": format_krw(amount)}
            )
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
                    "award": format_krw(amount),
                    "total": format_krw(total),
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
                    "cash": format_krw(cash),
                    "total": format_krw(total),
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


# tranches and payments -----------------------------------------------------------------------
def release_tranches(connection, application_id: int, trigger: str) -> None:
    """Tranches held until `trigger` (e.g. interim report approved) become due."""
    award_ids = select(Award.id).where(Award.application_id == application_id).scalar_subquery()
    connection.execute(
        update(Tranche)
        .where(Tranche.award_id == award_ids, Tranche.status == "scheduled", Tranche.release_on == trigger)
        .values(status="due")
    )


def pay_tranche(context: EffectContext, _params) -> None:
    """Pay the next tranche if it is due and its condition holds; never above the award."""
    connection = context.connection
    current = _award_of(context)
    tranche = (
        connection.execute(
            select(Tranche)
            .where(Tranche.award_id == current["id"], Tranche.status.in_(("scheduled", "due")))
            .order_by(Tranche.seq)
            .limit(1)
        )
        .mappings()
        .first()
    )
    if tranche is None or tranche["status"] != "due":
        release_on = tranche["release_on"] if tranche else "-"
        raise EffectRefused(Message("tranche_not_due", {"release_on": release_on}))
    amount = tranche["amount"]
    if tranche["release_if"] and not _holds(context, tranche["release_if"]):
        raise EffectRefused(
            Message(
                "tranche_condition_unmet",
                {"seq": tranche["seq"], "amount": format_krw(amount), "condition": tranche["release_if"]},
            )
        )
    _ledger(context, current, "pay", amount, tranche["fx_amount_cents"])
    paid = connection.execute(
        update(Award)
        .where(Award.id == current["id"], Award.paid + Award.released + amount <= Award.amount)
        .values(paid=Award.paid + amount)
    )
    if paid.rowcount != 1:
        now = _fresh(connection, current["id"])
        raise EffectRefused(
            Message(
                "payment_above_award",
                {
                    "award": format_krw(now["amount"] - now["released"]),
                    "paid": format_krw(now["paid"]),
                    "requested": format_krw(amount),
                },
            )
        )
    marked = connection.execute(
        update(Tranche)
        .where(Tranche.id == tranche["id"], Tranche.status == "due")
        .values(status="paid", paid_at=context.now, paid_by=context.actor.id)
    )
    if marked.rowcount != 1:
        raise EffectRefused(Message("award_changed"))
    connection.execute(
        update(ProgramBudget)
        .where(ProgramBudget.id == current["budget_id"])
        .values(paid=ProgramBudget.paid + amount)
    )


def _holds(context: EffectContext, condition: str) -> bool:
    """A tranche condition that cannot be evaluated yet (e.g. a report field still empty) is unmet."""
    try:
        return context.evaluate(condition) is True
    except EffectRefused:
        return False


# recovery ------------------------------------------------------------------------------------
def recover(context: EffectContext, params) -> None:
    """Book recovered principal (≤ paid) and, separately, interest at the rule file's yearly rate."""
    connection = context.connection
    current = _award_of(context)
    outstanding = current["paid"] - current["recovered"]
    if params.full and outstanding <= 0:
        raise EffectRefused(
            Message(
                "nothing_to_recover",
                {"paid": format_krw(current["paid"]), "recovered": format_krw(current["recovered"])},
            )
        )
    principal = outstanding if params.full else context.amount(params.amount)
    _ledger(context, current, "recover", principal)
    recovered = connection.execute(
        update(Award)
        .where(Award.id == current["id"], Award.recovered + principal <= Award.paid)
        .values(recovered=Award.recovered + principal)
    )
    if recovered.rowcount != 1:
        now = _fresh(connection, current["id"])
        raise EffectRefused(
            Message(
                "recovery_above_paid",
                {
                    "paid": format_krw(now["paid"]),
                    "recovered": format_krw(now["recovered"]),
                    "requested": format_krw(principal),
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
        _ledger(context, current, "interest", interest)
        connection.execute(
            update(Award).where(Award.id == current["id"]).values(interest=Award.interest + interest)
        )
        connection.execute(
            update(ProgramBudget)
            .where(ProgramBudget.id == current["budget_id"])
            .values(interest=ProgramBudget.interest + interest)
        )


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


def cancel_award(context: EffectContext, _params) -> None:
    """Release what was committed but not paid back to the program budget."""
    connection = context.connection
    current = _award_of(context)
    unpaid = current["amount"] - current["paid"] - current["released"]
    if unpaid <= 0:
        return
    _ledger(context, current, "release", unpaid)
    released = connection.execute(
        update(Award)
        .where(
            Award.id == current["id"], Award.paid == current["paid"], Award.released == current["released"]
        )
        .values(released=Award.released + unpaid)
    )
    if released.rowcount != 1:
        raise EffectRefused(Message("award_changed"))
    connection.execute(
        update(Tranche)
        .where(Tranche.award_id == current["id"], Tranche.status.in_(("scheduled", "due")))
        .values(status="cancelled")
    )
    connection.execute(
        update(ProgramBudget)
        .where(ProgramBudget.id == current["budget_id"])
        .values(committed=ProgramBudget.committed - unpaid)
    )


def money_summary(connection, application_id: int) -> dict:
    """What rule expressions see as `money`: awarded (net of released), paid, recovered, interest."""
    row = connection.execute(
        select(
            func.coalesce(func.sum(Award.amount - Award.released), 0),
            func.coalesce(func.sum(Award.paid), 0),
            func.coalesce(func.sum(Award.recovered), 0),
            func.coalesce(func.sum(Award.interest), 0),
        ).where(Award.application_id == application_id)
    ).one()
    return {"awarded": int(row[0]), "paid": int(row[1]), "recovered": int(row[2]), "interest": int(row[3])}


def describe_award(award: dict) -> str:
    """1,200,000원, or for a foreign-currency award USD 1,000.00 (1,385,200원)."""
    if award.get("fx_currency"):
        return f"{format_foreign(award['fx_amount_cents'], award['fx_currency'])} ({format_krw(award['amount'])})"
    return format_krw(award["amount"])
