"""Money effects: commit an award against the budget, pay tranches, recover, cancel.

Every change is a conditional UPDATE whose WHERE clause carries the invariant (rowcount checked),
backed by CHECK constraints, plus one ledger row. Never read-then-write.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select, update

from workflow.effects import EffectContext, EffectRefused
from workflow.messages import Message, format_krw
from workflow.models import Award, LedgerEntry, ProgramBudget, Tranche


def budget_id(connection, program_key: str, fiscal_year: int) -> int | None:
    return connection.execute(
        select(ProgramBudget.id).where(
            ProgramBudget.program_key == program_key, ProgramBudget.fiscal_year == fiscal_year
        )
    ).scalar()


def _ledger(context: EffectContext, award: dict | int, budget: int, kind: str, amount: int) -> None:
    award_id = award if isinstance(award, int) else award["id"]
    context.connection.execute(
        insert(LedgerEntry).values(
            budget_id=budget,
            award_id=award_id,
            application_id=context.application["id"],
            kind=kind,
            amount=amount,
            actor_id=context.actor.id,
            event_seq=context.event_seq,
            at=context.now,
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


def award(context: EffectContext, params) -> None:
    amount = context.amount(params.amount)
    program = context.program
    budget = budget_id(context.connection, program.key, program.fiscal_year)
    if budget is None:
        raise EffectRefused(Message("no_budget", {"key": program.key}))
    committed = context.connection.execute(
        update(ProgramBudget)
        .where(ProgramBudget.id == budget, ProgramBudget.committed + amount <= ProgramBudget.total)
        .values(committed=ProgramBudget.committed + amount)
    )
    if committed.rowcount != 1:
        total, used = context.connection.execute(
            select(ProgramBudget.total, ProgramBudget.committed).where(ProgramBudget.id == budget)
        ).one()
        raise EffectRefused(
            Message(
                "budget_exceeded", {"remaining": format_krw(total - used), "requested": format_krw(amount)}
            )
        )
    award_id = context.connection.execute(
        insert(Award)
        .values(
            application_id=context.application["id"], budget_id=budget, amount=amount, created_at=context.now
        )
        .returning(Award.id)
    ).scalar_one()
    amounts = _split(context, amount, params.tranches)
    context.connection.execute(
        insert(Tranche),
        [
            {
                "award_id": award_id,
                "seq": seq,
                "amount": part,
                "release_on": spec.release_on,
                "status": "scheduled" if spec.release_on else "due",
            }
            for seq, (spec, part) in enumerate(zip(params.tranches, amounts, strict=True), start=1)
        ],
    )
    _ledger(context, award_id, budget, "commit", amount)


def _split(context: EffectContext, total: int, tranches) -> list[int]:
    """Tranche amounts: explicit amounts as given, shares floored, the remainder to the last tranche."""
    parts = [context.amount(t.amount) if t.amount else int(total * t.share) for t in tranches]
    parts[-1] += total - sum(parts)
    if parts[-1] <= 0:
        raise EffectRefused(
            Message("amount_invalid", {"detail": f"tranches {parts} do not add up to {total}"})
        )
    return parts


def release_tranches(connection, application_id: int, trigger: str) -> None:
    """Tranches held until `trigger` (e.g. interim report approved) become due."""
    award_ids = select(Award.id).where(Award.application_id == application_id).scalar_subquery()
    connection.execute(
        update(Tranche)
        .where(Tranche.award_id == award_ids, Tranche.status == "scheduled", Tranche.release_on == trigger)
        .values(status="due")
    )


def pay_tranche(context: EffectContext, _params) -> None:
    current = _award_of(context)
    tranche = (
        context.connection.execute(
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
    paid_award = context.connection.execute(
        update(Award)
        .where(Award.id == current["id"], Award.paid + Award.released + amount <= Award.amount)
        .values(paid=Award.paid + amount)
    )
    if paid_award.rowcount != 1:
        raise EffectRefused(
            Message(
                "payment_above_award",
                {
                    "award": format_krw(current["amount"]),
                    "paid": format_krw(current["paid"]),
                    "requested": format_krw(amount),
                },
            )
        )
    context.connection.execute(
        update(Tranche)
        .where(Tranche.id == tranche["id"], Tranche.status == "due")
        .values(status="paid", paid_at=context.now, paid_by=context.actor.id)
    )
    context.connection.execute(
        update(ProgramBudget)
        .where(ProgramBudget.id == current["budget_id"])
        .values(paid=ProgramBudget.paid + amount)
    )
    _ledger(context, current, current["budget_id"], "pay", amount)


def recover(context: EffectContext, params) -> None:
    current = _award_of(context)
    amount = context.amount(params.amount)
    recovered = context.connection.execute(
        update(Award)
        .where(Award.id == current["id"], Award.recovered + amount <= Award.paid)
        .values(recovered=Award.recovered + amount)
    )
    if recovered.rowcount != 1:
        raise EffectRefused(
            Message(
                "recovery_above_paid",
                {
                    "paid": format_krw(current["paid"]),
                    "recovered": format_krw(current["recovered"]),
                    "requested": format_krw(amount),
                },
            )
        )
    context.connection.execute(
        update(ProgramBudget)
        .where(ProgramBudget.id == current["budget_id"])
        .values(recovered=ProgramBudget.recovered + amount)
    )
    _ledger(context, current, current["budget_id"], "recover", amount)


def cancel_award(context: EffectContext, _params) -> None:
    """Release what was committed but not paid back to the program budget."""
    current = _award_of(context)
    unpaid = current["amount"] - current["paid"] - current["released"]
    if unpaid <= 0:
        return
    context.connection.execute(
        update(Award).where(Award.id == current["id"]).values(released=Award.released + unpaid)
    )
    context.connection.execute(
        update(Tranche)
        .where(Tranche.award_id == current["id"], Tranche.status.in_(("scheduled", "due")))
        .values(status="cancelled")
    )
    context.connection.execute(
        update(ProgramBudget)
        .where(ProgramBudget.id == current["budget_id"])
        .values(committed=ProgramBudget.committed - unpaid)
    )
    _ledger(context, current, current["budget_id"], "release", unpaid)


def money_summary(connection, application_id: int) -> dict:
    row = connection.execute(
        select(
            func.coalesce(func.sum(Award.amount - Award.released), 0),
            func.coalesce(func.sum(Award.paid), 0),
            func.coalesce(func.sum(Award.recovered), 0),
        ).where(Award.application_id == application_id)
    ).one()
    return {"awarded": int(row[0]), "paid": int(row[1]), "recovered": int(row[2])}
