"""Budget rows and what every money effect shares: the ledger row, the award row, the summary."""

from __future__ import annotations

from sqlalchemy import bindparam, func, insert, select, update

from workflow.models import Award, LedgerEntry, ProgramBudget
from workflow.money.fx import format_foreign, seoul_day
from workflow.vocabulary.effects import EffectContext, EffectRefused
from workflow.vocabulary.messages import Message, format_krw


# budgets -------------------------------------------------------------------------------------
def ensure_budgets(connection, program) -> str | None:
    """Create or update the program's budget rows: one per fiscal year (`budget.years`) or one.

    Returns why not, if a new total is below what that year has already committed.
    """
    budget = program.spec.budget
    if budget is None:
        return None
    totals = budget.years or {program.fiscal_year: budget.total}
    committed = dict(
        connection.execute(
            select(ProgramBudget.fiscal_year, ProgramBudget.committed).where(
                ProgramBudget.program_key == program.key, ProgramBudget.fiscal_year.in_(list(totals))
            )
        ).all()
    )
    for year, total in totals.items():
        if committed.get(year, 0) > total:
            return f"budget {year} of {format_krw(total)} is below the {format_krw(committed[year])} already committed"
    for year, total in totals.items():
        if year in committed:
            connection.execute(
                update(ProgramBudget)
                .where(ProgramBudget.program_key == program.key, ProgramBudget.fiscal_year == year)
                .values(total=total)
            )
            continue
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
    return None


def award_year(program, now) -> int:
    """The fiscal year an award made at `now` is charged to (Korea's fiscal year is the calendar year)."""
    budget = program.spec.budget
    return seoul_day(now).year if budget is not None and budget.years else program.fiscal_year


# statements on the hot path are built once (Core, on the tables): building them per call cost more
# than running them
BUDGETS, AWARDS, LEDGER = ProgramBudget.__table__, Award.__table__, LedgerEntry.__table__
BUDGET_OF_YEAR = select(BUDGETS.c.id, BUDGETS.c.total, BUDGETS.c.committed).where(
    BUDGETS.c.program_key == bindparam("key"), BUDGETS.c.fiscal_year == bindparam("year")
)
APPEND = insert(LEDGER)
AWARD_OF_APPLICATION = select(AWARDS).where(AWARDS.c.application_id == bindparam("application"))
AWARD_BY_ID = select(AWARDS).where(AWARDS.c.id == bindparam("award"))


def budget_of_year(connection, program_key: str, fiscal_year: int):
    """(id, total, committed) of a program's fiscal-year budget row, or None if there is none."""
    return connection.execute(BUDGET_OF_YEAR, {"key": program_key, "year": fiscal_year}).first()


def ledger_row(
    context: EffectContext,
    award: dict,
    kind: str,
    amount: int,
    fx_cents: int | None = None,
    fx: tuple[str, int, int] | None = None,
) -> None:
    """Append one ledger row; written before the totals move, so the sum triggers can check them.

    `fx_cents` is in the award's currency at its rate; `fx` (currency, hundredths, rate) a movement in a
    currency of its own (an expense claim booked at the rate of its date)."""
    if fx is None and fx_cents:
        fx = (award["fx_currency"], fx_cents, award["fx_rate_e4"])
    context.connection.execute(
        APPEND,
        {
            "budget_id": award["budget_id"],
            "award_id": award["id"],
            "application_id": context.application.id,
            "kind": kind,
            "amount": amount,
            "actor_id": context.actor.id,
            "event_seq": context.event_seq,
            "at": context.now,
            "fx_currency": fx[0] if fx else None,
            "fx_amount_cents": fx[1] if fx else None,
            "fx_rate_e4": fx[2] if fx else None,
        },
    )


def award_of(context: EffectContext) -> dict:
    """The application's award as it is now; refuses when there is none."""
    row = (
        context.connection.execute(AWARD_OF_APPLICATION, {"application": context.application.id})
        .mappings()
        .first()
    )
    if row is None:
        raise EffectRefused(Message("no_award"))
    return dict(row)


def fresh_award(connection, award_id: int) -> dict:
    """Re-read after a refused conditional UPDATE, so the refusal names the current numbers."""
    return dict(connection.execute(AWARD_BY_ID, {"award": award_id}).mappings().one())


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


def describe_award(award: dict, lang: str = "ko") -> str:
    """1,200,000원 (KRW 1,200,000 in English), or for a foreign-currency award USD 1,000.00 (1,385,200원)."""
    booked = format_krw(award["amount"], lang)
    if award.get("fx_currency"):
        return f"{format_foreign(award['fx_amount_cents'], award['fx_currency'])} ({booked})"
    return booked
