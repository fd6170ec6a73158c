"""Tranches becoming due, payments (never above the award) and cancelling what is unpaid."""

from __future__ import annotations

from sqlalchemy import select, update

from workflow.models import Award, ProgramBudget, Tranche
from workflow.money.ledger import award_of, fresh_award, ledger_row
from workflow.vocabulary.effects import EffectContext, EffectRefused
from workflow.vocabulary.messages import Message, krw_text


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
    current = award_of(context)
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
                {"seq": tranche["seq"], "amount": krw_text(amount), "condition": tranche["release_if"]},
            )
        )
    ledger_row(context, current, "pay", amount, tranche["fx_amount_cents"])
    charge_award(connection, current, amount)
    marked = connection.execute(
        update(Tranche)
        .where(Tranche.id == tranche["id"], Tranche.status == "due")
        .values(status="paid", paid_at=context.now, paid_by=context.actor.id)
    )
    if marked.rowcount != 1:
        raise EffectRefused(Message("award_changed"))


def charge_award(connection, award: dict, amount: int, refused=None) -> None:
    """Add a payment to the award's and the budget's paid totals, never above the award: the conditional
    UPDATE decides, so a payment another transaction made first refuses this one (`refused(award now,
    amount)` gives the refusal; by default "payment above the award")."""
    moved = connection.execute(
        update(Award)
        .where(Award.id == award["id"], Award.paid + Award.released + amount <= Award.amount)
        .values(paid=Award.paid + amount)
    )
    if moved.rowcount != 1:
        raise (refused or above_award)(fresh_award(connection, award["id"]), amount)
    connection.execute(
        update(ProgramBudget)
        .where(ProgramBudget.id == award["budget_id"])
        .values(paid=ProgramBudget.paid + amount)
    )


def above_award(award: dict, amount: int) -> EffectRefused:
    return EffectRefused(
        Message(
            "payment_above_award",
            {
                "award": krw_text(award["amount"] - award["released"]),
                "paid": krw_text(award["paid"]),
                "requested": krw_text(amount),
            },
        )
    )


def _holds(context: EffectContext, condition: str) -> bool:
    """A tranche condition that cannot be evaluated yet (e.g. a report field still empty) is unmet."""
    try:
        return context.evaluate(condition) is True
    except EffectRefused:
        return False


def cancel_award(context: EffectContext, _params) -> None:
    """Release what was committed but not paid back to the program budget."""
    connection = context.connection
    current = award_of(context)
    unpaid = current["amount"] - current["paid"] - current["released"]
    if unpaid <= 0:
        return
    ledger_row(context, current, "release", unpaid)
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
