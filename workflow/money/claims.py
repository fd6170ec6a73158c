"""Money through a child: a claim (its own application, opened by a parent that holds an award) pays an
amount decided on the claim from the parent's award, never above what remains of it.

    effects: [{pay_from_parent: {amount: data.amount}}]      # on the claim's payment transition

The payment is a `pay` row of the ledger against the parent's award and budget, written by the claim's
event; the conditional UPDATE on the award decides between claims paid at the same moment.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from workflow.models import ApplicationLink
from workflow.money.ledger import AWARDS, ledger_row
from workflow.money.payments import charge_award
from workflow.vocabulary.effects import EffectContext, EffectParams, EffectRefused
from workflow.vocabulary.messages import Message, krw_text

PARENT_AWARD = (
    select(AWARDS)
    .join(ApplicationLink, ApplicationLink.source_id == AWARDS.c.application_id)
    .where(ApplicationLink.target_id == bindparam("application"))
    .order_by(ApplicationLink.id)
    .limit(1)
)


class ClaimParams(EffectParams):
    amount: str  # an expression over the claim's data, whole won


def check_claim(context: EffectContext, params: ClaimParams) -> None:
    """Before anything is written: the amount, the parent's award and what remains of it."""
    amount = context.amount(params.amount)
    row = context.connection.execute(PARENT_AWARD, {"application": context.application.id}).mappings().first()
    if row is None:
        raise EffectRefused(Message("no_parent_award"))
    award = dict(row)
    if award["paid"] + award["released"] + amount > award["amount"]:
        raise _above_award(award, amount)
    context.checked[id(params)] = (award, amount)


def pay_from_parent(context: EffectContext, params: ClaimParams) -> None:
    if id(params) not in context.checked:
        check_claim(context, params)
    award, amount = context.checked.pop(id(params))
    connection = context.connection
    ledger_row(context, award, "pay", amount)
    charge_award(connection, award, amount, refused=_above_award)  # another claim may have been paid since


def _above_award(award: dict, amount: int) -> EffectRefused:
    remaining = award["amount"] - award["released"] - award["paid"]
    return EffectRefused(
        Message(
            "claim_above_award",
            {
                "requested": krw_text(amount),
                "remaining": krw_text(max(remaining, 0)),
                "award": krw_text(award["amount"] - award["released"]),
                "paid": krw_text(award["paid"]),
            },
        )
    )
