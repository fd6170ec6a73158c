"""What the walker feeds a rule file: a moment inside a program's open period, valid and invalid values
derived from each field's type and constraints (the field-type registry's sample, a string made from a
`pattern`), the `children` a guard may see, and the scenarios and results of a walk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from tests.engine.patterns import matching
from workflow.vocabulary.fields import FIELD_TYPES
from workflow.vocabulary.linked_names import named_child_parts, named_children

FUTURE_DATE = "2099-12-31"  # after the clock of every walk, so a guard `data.x <= application.today` fails


def inside_open_period(program, now: datetime) -> datetime:
    """A moment when the program accepts applications: `now` if it does, else 10:00 Seoul on its first day."""
    period = program.spec.open
    if period is None:
        return now
    start = datetime.combine(period.start, time(10, 0), ZoneInfo("Asia/Seoul")).astimezone(now.tzinfo)
    end = datetime.combine(period.until, time(17, 0), ZoneInfo("Asia/Seoul")).astimezone(now.tzinfo)
    return now if start <= now <= end else start


def valid_samples(spec, store) -> list:
    """Valid values for a field, the first one a sensible default (used to fill forms)."""
    kind = spec.type
    if kind in ("money", "integer"):
        low = spec.min if spec.min is not None else 0
        high = spec.max if spec.max is not None else max(low, 1) * 1000 + 100_000_000
        middle = max(low, min(high, 10_000_000 if kind == "money" else 2))
        return sorted({middle, low, high}, key=lambda v: (v != middle, v))
    if kind in ("text", "textarea"):
        if spec.pattern:
            made = matching(spec.pattern)
            assert made is not None, f"no sample for pattern {spec.pattern!r}"
            return [made]
        length = max(spec.min_length or 0, 24)
        text = ("디지털헬스케어 사업 설명 " * 10)[:length]
        return [text[: spec.max_length] if spec.max_length else text]
    if kind == "choice":
        return [choice.value for choice in spec.choices]
    if kind == "multi_choice":
        return [[spec.choices[0].value]]
    if kind == "boolean":
        return [True, False]
    if kind == "file":
        return [store.save(b"%PDF-1.4\n%walk\n%%EOF\n", "walk.pdf", accept=("pdf",)), None]
    if kind == "date":  # the type's sample, before any walk's clock, then one after it (`application.today`)
        return [FIELD_TYPES[kind].sample(spec), FUTURE_DATE]
    return [FIELD_TYPES[kind].sample(spec)]  # any other type: its registry entry knows a valid value


def invalid_samples(spec) -> list:
    """Values outside the form's own limits: only for trying a guard directly."""
    if spec.type in ("money", "integer"):
        return [v for v in ((spec.min or 0) - 1, (spec.max or 0) + 1) if v is not None]
    return [None]


def children_samples(source: str) -> list[dict]:
    """`children` as a guard reading `source` may see it: no linked application yet, then one of each."""
    samples = []
    for count in (0, 1, 2):
        summary: dict = {}
        for key in named_children(source):
            summary.setdefault(key, {"count": count, "by_state": {}, "sum": {}})
        for key, part, name in named_child_parts(source):
            summary[key][part][name] = count if part == "by_state" else count * 1_000_000
        samples.append(summary)
    return samples


@dataclass(frozen=True)
class Scenario:
    overrides: tuple = ()  # ((field, value), ...)
    review_level: str = "high"  # high | low | partial

    def data(self) -> dict:
        return dict(self.overrides)


@dataclass
class Walk:
    reached: dict = field(default_factory=dict)  # state -> (path, scenario)
    guards_true: set = field(default_factory=set)
    guards_false: set = field(default_factory=set)
    guards_false_direct: set = field(default_factory=set)
    taken: set = field(default_factory=set)  # transitions taken at least once


def opener_of(registry, program):
    """(program, transition, open parameters) of a loaded program whose `open:` effect opens `program`."""
    for other in registry.current.values():
        for transition in other.transitions:
            for kind, params in transition.effects:
                if kind.name == "open" and params.program == program.key:
                    return other, transition, params
    return None


def walk_clock(registry, program, now: datetime) -> datetime:
    """A moment to walk `program` at: inside its open period, or its opener's for a follow-up-only one."""
    if program.spec.follow_up_only:
        opener = opener_of(registry, program)
        assert opener is not None, f"nothing opens {program.key}"
        return inside_open_period(opener[0], now)
    return inside_open_period(program, now)
