"""Effects a transition may have, as an open registry: each kind is one `EffectKind` object.

A kind carries everything about itself: its parameter model, the expressions inside its
parameters (compiled and checked at load like guards), a read-only check, the apply step, the
rule-file keys it needs, the triggers it listens to and what it does when one fires, and what it
adds to the guard context. The package that owns a kind registers it (`register_effect`); the
engine only asks the registry. Effects run inside fire()'s transaction; refusing one
(EffectRefused) rolls back the whole move. How to add a kind: workflow/vocabulary/EFFECTS.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workflow.vocabulary.guards import ContextSource, GuardEvaluationError, register_context
from workflow.vocabulary.messages import Message


class EffectRefused(Exception):
    def __init__(self, message: Message):
        super().__init__(message.code)
        self.message = message


class EffectParams(BaseModel):
    """Base of every effect's parameter model: closed (an unknown key is an error) and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(EffectParams):
    pass


class OpenParams(EffectParams):
    program: str
    copy_fields: dict[str, str] = Field(default={}, alias="copy")
    at: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")  # a state of the other program


@dataclass
class EffectContext:
    connection: Any
    program: Any  # CompiledProgram
    application: Any  # the ApplicationRow before the move: id, applicant_id, ...
    data: dict  # the application's data after the move (effects may change it)
    actor: Any
    now: datetime
    event_seq: int
    expression_context: dict
    open_linked: Callable[[str, dict, str | None], int]
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


def _none(_params) -> list:
    return []


@dataclass(frozen=True)
class EffectKind:
    name: str
    params: type[BaseModel] | None  # an EffectParams model; None means a mapping of field name → expression
    apply: Callable[[EffectContext, Any], None]
    # every expression inside the parameters, checked and compiled at load like guards
    expressions: Callable[[Any], list[str]] = _none
    # read-only, before anything is written: a refusal here (e.g. the budget is short) costs no writes
    check: Callable[[EffectContext, Any], None] | None = None
    changes_data: bool = False  # runs before the move is written, so its changes are in the event
    requires: tuple[str, ...] = ()  # top-level rule-file keys the kind needs (e.g. "budget")
    # effect kinds every program that opens this one must have (e.g. a claim paid from its parent's "award")
    parent_requires: tuple[str, ...] = ()
    # triggers named in the parameters, as (path inside the parameters, trigger); checked at load
    listens_to: Callable[[Any], list[tuple[tuple, str]]] = _none
    # when one of those triggers fires on the application, in the same transaction
    on_trigger: Callable[[EffectContext, str], None] | None = None
    context: tuple[ContextSource, ...] = ()  # names the kind adds to the guard context


EFFECTS: dict[str, EffectKind] = {}


def register_effect(kind: EffectKind) -> EffectKind:
    """Add (or replace) an effect kind and the guard-context names it brings."""
    for source in kind.context:
        register_context(source)
    EFFECTS[kind.name] = kind
    return kind


def effect_kinds() -> dict[str, EffectKind]:
    return EFFECTS


def parse_effect(raw: dict) -> tuple[EffectKind, Any]:
    """Turn one `{kind: params}` mapping into (kind, validated params); raises ValueError/KeyError."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ValueError("an effect is a mapping with exactly one key, e.g. {award: {...}}")
    ((name, params),) = raw.items()
    kind = EFFECTS[name]
    if kind.params is None:
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            raise ValueError("give a mapping of field name to expression")
        return kind, dict(params)
    return kind, kind.params.model_validate(params or {})


def expressions_of(name: str, params) -> list[str]:
    """Every expression inside an effect's parameters (checked at load like guards)."""
    if params is None:
        return []
    return [source for source in EFFECTS[name].expressions(params) if source]


def listened_triggers(effects: Iterable[tuple[EffectKind, Any]]) -> dict[str, list[EffectKind]]:
    """trigger → the kinds (once each) that act when it fires, from a program's effects."""
    hooks: dict[str, list[EffectKind]] = {}
    for kind, params in effects:
        if kind.on_trigger is None:
            continue
        for _path, trigger in kind.listens_to(params):
            if kind not in hooks.setdefault(trigger, []):
                hooks[trigger].append(kind)
    return hooks


# the engine's own kinds: changing the application's data and opening a linked application -------
def _set_fields(context: EffectContext, params: dict[str, str]) -> None:
    for name, source in params.items():
        context.data[name] = context.evaluate(source)


def _open_linked(context: EffectContext, params: OpenParams) -> None:
    copied = {target: context.evaluate(source) for target, source in params.copy_fields.items()}
    context.open_linked(params.program, copied, params.at)


register_effect(
    EffectKind("set", None, _set_fields, expressions=lambda p: list(p.values()), changes_data=True)
)
register_effect(
    EffectKind("open", OpenParams, _open_linked, expressions=lambda p: list(p.copy_fields.values()))
)
