"""Effects a transition may have, as a registry: each kind has a parameter schema and an apply step.

Effects run inside fire()'s transaction; refusing one (EffectRefused) rolls back the whole move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workflow.guards import GuardEvaluationError
from workflow.messages import Message


class EffectRefused(Exception):
    def __init__(self, message: Message):
        super().__init__(message.code)
        self.message = message


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrancheSpec(_Params):
    share: float | None = Field(default=None, gt=0, le=1)
    amount: str | None = None  # an expression, in the award's currency
    release_on: str | None = None  # held until this trigger fires (e.g. approve_interim)
    release_if: str | None = None  # paid only while this condition holds (e.g. data.spent_to_date > 0)

    @model_validator(mode="after")
    def _one_of(self):
        if (self.share is None) == (self.amount is None):
            raise ValueError("give either share or amount")
        return self


class MatchingSpec(_Params):
    """Co-funding limits on the awarded amount: total cost = award + company cash + in-kind."""

    cash: str  # expression: the company's cash contribution (KRW)
    in_kind: str = "0"  # expression: the in-kind contribution (KRW)
    government_max: float = Field(default=0.75, gt=0, le=1)
    cash_min: float = Field(default=0.10, ge=0, lt=1)


class AwardParams(_Params):
    amount: str
    tranches: list[TrancheSpec] = Field(min_length=1)
    currency: str = Field(default="KRW", pattern=r"^[A-Z]{3}$")  # others booked in KRW at a recorded rate
    matching: MatchingSpec | None = None

    @model_validator(mode="after")
    def _shares_add_up(self):
        shares = [t.share for t in self.tranches if t.share is not None]
        if len(shares) == len(self.tranches) and abs(sum(shares) - 1) > 1e-9:
            raise ValueError(f"tranche shares add up to {sum(shares):g}, not 1")
        return self


class RecoverParams(_Params):
    amount: str | None = None  # an expression (principal, KRW); or full: true for all that is outstanding
    full: bool = False
    interest_rate: float = Field(default=0, ge=0, le=1)  # yearly, simple, from each payment's date

    @model_validator(mode="after")
    def _amount_or_full(self):
        if (self.amount is None) != self.full:
            raise ValueError("give either amount or full: true")
        return self


class NoParams(_Params):
    pass


class OpenParams(_Params):
    program: str
    copy_fields: dict[str, str] = Field(default={}, alias="copy")


@dataclass
class EffectContext:
    connection: Any
    program: Any  # CompiledProgram
    application: dict  # the row before the move: id, applicant_id, ...
    data: dict  # the application's data after the move (effects may change it)
    actor: Any
    now: datetime
    event_seq: int
    expression_context: dict
    open_linked: Callable[[str, dict], int]
    checked: dict = field(default_factory=dict)  # what an effect's check worked out, for its apply

    def evaluate(self, source: str):
        try:
            return self.program.expressions[source].value({**self.expression_context, "data": self.data})
        except GuardEvaluationError as error:
            raise EffectRefused(Message("amount_invalid", {"detail": str(error)})) from None

    def amount(self, source: str) -> int:
        value = self.evaluate(source)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise EffectRefused(Message("amount_invalid", {"detail": f"{source} = {value!r}"}))
        return value


def _set_fields(context: EffectContext, params: dict[str, str]) -> None:
    for name, source in params.items():
        context.data[name] = context.evaluate(source)


def _open_linked(context: EffectContext, params: OpenParams) -> None:
    copied = {target: context.evaluate(source) for target, source in params.copy_fields.items()}
    context.open_linked(params.program, copied)


@dataclass(frozen=True)
class EffectKind:
    name: str
    params: type | None  # pydantic model; None means a mapping of field name → expression
    apply: Callable[[EffectContext, Any], None]
    needs_budget: bool = False
    changes_data: bool = False  # runs before the move is written, so its changes are in the event
    # read-only, before anything is written: a refusal here (e.g. the budget is short) costs no writes
    check: Callable[[EffectContext, Any], None] | None = None


def _registry() -> dict[str, EffectKind]:
    from workflow import money

    kinds = [
        EffectKind("award", AwardParams, money.award, needs_budget=True, check=money.check_award),
        EffectKind("pay_tranche", NoParams, money.pay_tranche, needs_budget=True),
        EffectKind("recover", RecoverParams, money.recover, needs_budget=True),
        EffectKind("cancel_award", NoParams, money.cancel_award, needs_budget=True),
        EffectKind("set", None, _set_fields, changes_data=True),
        EffectKind("open", OpenParams, _open_linked),
    ]
    return {kind.name: kind for kind in kinds}


EFFECTS: dict[str, EffectKind] = {}


def effect_kinds() -> dict[str, EffectKind]:
    if not EFFECTS:
        EFFECTS.update(_registry())
    return EFFECTS


def parse_effect(raw: dict) -> tuple[EffectKind, Any]:
    """Turn one `{kind: params}` mapping into (kind, validated params); raises ValueError/KeyError."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ValueError("an effect is a mapping with exactly one key, e.g. {award: {...}}")
    ((name, params),) = raw.items()
    kind = effect_kinds()[name]
    if kind.params is None:
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            raise ValueError("give a mapping of field name to expression")
        return kind, dict(params)
    return kind, kind.params.model_validate(params or {})


def expressions_of(name: str, params) -> list[str]:
    """Every expression inside an effect's parameters (checked at load like guards)."""
    if params is None:
        return []
    if name == "set":
        return list(params.values())
    if isinstance(params, AwardParams):
        matching = [params.matching.cash, params.matching.in_kind] if params.matching else []
        tranches = [e for t in params.tranches for e in (t.amount, t.release_if) if e]
        return [params.amount, *tranches, *matching]
    if isinstance(params, RecoverParams):
        return [params.amount] if params.amount else []
    if isinstance(params, OpenParams):
        return list(params.copy_fields.values())
    return []
