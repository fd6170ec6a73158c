"""Stage totals: the sum of number fields a rule file declares (`totals:`) and each field's share of it.

The same numbers drive the live panel beside the form (the web) and the field errors a transition that
requires the stage is refused with (the engine), so the page and `fire` never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from workflow.definitions.schema import ShareLimit, StageSpec, StageTotal
from workflow.vocabulary.messages import Message


@dataclass(frozen=True)
class ShareView:
    spec: ShareLimit
    percent: Decimal | None  # None until the total is known and above zero
    problem: str | None  # "above_max", "below_min" or None

    @property
    def ok(self) -> bool:
        return self.percent is not None and self.problem is None


@dataclass(frozen=True)
class TotalView:
    spec: StageTotal
    amount: int | None  # None while a summed field is empty or not a number
    shares: list[ShareView]


def _number(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def percent_text(value: float | Decimal) -> str:
    """75 for a whole percentage, 76.9 otherwise (one decimal, rounded half up)."""
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(rounded.quantize(Decimal(1))) if rounded == rounded.to_integral() else str(rounded)


def _share(spec: ShareLimit, total: int | None, data: dict) -> ShareView:
    part = _number(data.get(spec.field))
    if total is None or total <= 0 or part is None:
        return ShareView(spec, None, None)
    problem = None
    # compared exactly (part * 100 against total * limit): no rounding decides a refusal
    if spec.max_percent is not None and part * 100 > total * Decimal(str(spec.max_percent)):
        problem = "above_max"
    elif spec.min_percent is not None and part * 100 < total * Decimal(str(spec.min_percent)):
        problem = "below_min"
    return ShareView(spec, Decimal(part * 100) / Decimal(total), problem)


def stage_totals(stage: StageSpec, data: dict) -> list[TotalView]:
    views = []
    for total in stage.totals:
        parts = [_number(data.get(name)) for name in total.sum]
        amount = None if None in parts else sum(p for p in parts if p is not None)
        views.append(TotalView(total, amount, [_share(s, amount, data) for s in total.shares]))
    return views


def total_problems(stage: StageSpec, data: dict) -> dict[str, Message]:
    """A field error for every share outside its limit, naming the share, the total and both percentages."""
    problems: dict[str, Message] = {}
    for view in stage_totals(stage, data):
        for share in view.shares:
            if share.problem is None or share.percent is None:
                continue
            limit = share.spec.max_percent if share.problem == "above_max" else share.spec.min_percent
            problems.setdefault(
                share.spec.field,
                Message(
                    f"share_{share.problem}",
                    {
                        "share": share.spec.label.model_dump(),
                        "total": view.spec.label.model_dump(),
                        "limit": percent_text(limit or 0),
                        "actual": percent_text(share.percent),
                    },
                ),
            )
    return problems
