"""Money's effect kinds and guard-context name, registered with the engine's registries.

Importing `workflow.money` registers them; the engine never imports money.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from workflow.definitions.program_checks import register_program_check
from workflow.definitions.registry import register_publish_step
from workflow.money.awards import award, check_award
from workflow.money.claims import ClaimParams, check_claim, pay_from_parent
from workflow.money.ledger import ensure_budgets, money_summary
from workflow.money.order_checks import check_money_order
from workflow.money.payments import cancel_award, pay_tranche, release_tranches
from workflow.money.recovery import recover
from workflow.money.settlements import pay_amount
from workflow.vocabulary.effects import EffectKind, EffectParams, NoParams, register_effect
from workflow.vocabulary.guards import ContextSource


class TrancheSpec(EffectParams):
    share: float | None = Field(default=None, gt=0, le=1)
    amount: str | None = None  # an expression, in the award's currency
    release_on: str | None = None  # held until this trigger fires (e.g. approve_interim)
    release_if: str | None = None  # paid only while this condition holds (e.g. data.spent_to_date > 0)

    @model_validator(mode="after")
    def _one_of(self):
        if (self.share is None) == (self.amount is None):
            raise ValueError("give either share or amount")
        return self


class MatchingSpec(EffectParams):
    """Co-funding limits on the awarded amount: total cost = award + company cash + in-kind."""

    cash: str  # expression: the company's cash contribution (KRW)
    in_kind: str = "0"  # expression: the in-kind contribution (KRW)
    government_max: float = Field(default=0.75, gt=0, le=1)
    cash_min: float = Field(default=0.10, ge=0, lt=1)


class AwardParams(EffectParams):
    amount: str
    tranches: list[TrancheSpec]  # [] for an award paid only through claims (pay_from_parent)
    currency: str = Field(default="KRW", pattern=r"^[A-Z]{3}$")  # others booked in KRW at a recorded rate
    matching: MatchingSpec | None = None

    @model_validator(mode="after")
    def _shares_add_up(self):
        shares = [t.share for t in self.tranches if t.share is not None]
        if shares and len(shares) == len(self.tranches) and abs(sum(shares) - 1) > 1e-9:
            raise ValueError(f"tranche shares add up to {sum(shares):g}, not 1")
        return self


class RecoverParams(EffectParams):
    amount: str | None = None  # an expression (principal, KRW); or full: true for all that is outstanding
    full: bool = False
    share: float | None = Field(default=None, gt=0, le=1)  # or a share of what was paid / of the award
    of: Literal["paid", "award"] = "paid"
    interest_rate: float = Field(default=0, ge=0, le=1)  # yearly, simple, from each payment's date

    @model_validator(mode="after")
    def _amount_or_full(self):
        given = [self.amount is not None, self.full, self.share is not None]
        if sum(given) != 1:
            raise ValueError("give either amount, full: true or share")
        if self.of != "paid" and self.share is None:
            raise ValueError("of: goes with share: (e.g. share: 0.5, of: award)")
        return self


class PayParams(EffectParams):
    """An amount decided now (a settlement, an expense claim), paid from the award's due tranches."""

    amount: str  # an expression, in `currency`
    currency: str | None = None  # an expression giving the code, e.g. data.claim_currency or '"USD"'
    rate_on: str | None = None  # an expression giving the day whose recorded rate books it (default today)


def _award_expressions(params: AwardParams) -> list[str]:
    matching = [params.matching.cash, params.matching.in_kind] if params.matching else []
    tranches = [e for t in params.tranches for e in (t.amount, t.release_if) if e]
    return [params.amount, *tranches, *matching]


def _release_triggers(params: AwardParams) -> list[tuple[tuple, str]]:
    return [
        (("tranches", index, "release_on"), tranche.release_on)
        for index, tranche in enumerate(params.tranches)
        if tranche.release_on
    ]


def _release(context, trigger: str) -> None:
    release_tranches(context.connection, context.application.id, trigger)


MONEY_CONTEXT = ContextSource(
    "money",
    lambda connection, application: money_summary(connection, application.id),
    sample={"awarded": 0, "paid": 0, "recovered": 0, "interest": 0},
)
BUDGET = ("budget",)

register_effect(
    EffectKind(
        "award",
        AwardParams,
        award,
        expressions=_award_expressions,
        check=check_award,
        requires=BUDGET,
        listens_to=_release_triggers,
        on_trigger=_release,
        context=(MONEY_CONTEXT,),
    )
)
register_effect(EffectKind("pay_tranche", NoParams, pay_tranche, requires=BUDGET, context=(MONEY_CONTEXT,)))
register_effect(
    EffectKind(
        "pay",
        PayParams,
        pay_amount,
        expressions=lambda p: [e for e in (p.amount, p.currency, p.rate_on) if e],
        requires=BUDGET,
        context=(MONEY_CONTEXT,),
    )
)
register_effect(
    EffectKind(
        "recover",
        RecoverParams,
        recover,
        expressions=lambda p: [p.amount] if p.amount else [],
        requires=BUDGET,
        context=(MONEY_CONTEXT,),
    )
)
register_effect(EffectKind("cancel_award", NoParams, cancel_award, requires=BUDGET, context=(MONEY_CONTEXT,)))
register_effect(  # on a claim: its amount from the award of the application that opened it (money/claims.py)
    EffectKind(
        "pay_from_parent",
        ClaimParams,
        pay_from_parent,
        expressions=lambda p: [p.amount],
        check=check_claim,
        parent_requires=("award",),
        context=(MONEY_CONTEXT,),
    )
)


def _publish_budgets(connection, program) -> tuple[str, str] | None:
    short = ensure_budgets(connection, program)
    return (short, "a budget cannot go below what is already committed") if short else None


register_publish_step(_publish_budgets)
register_program_check(check_money_order)
