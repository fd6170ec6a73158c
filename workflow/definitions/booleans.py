"""Is a guard true-or-false? Evaluated once at load on a sample of every value it reads.

CEL here has no static types, so the checker runs the guard on a value of the right type for each
field (the field type's sample) and each context name (the engine's own, or a registered source's
`sample`). A result that is not a boolean is a problem; a guard whose values cannot all be sampled,
or that fails on the sample (e.g. a division by zero), is left to run time.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from workflow.definitions.schema import FieldSpec
from workflow.vocabulary.fields import sample_value
from workflow.vocabulary.guards import CONTEXT_SOURCES, Expression, GuardEvaluationError

ENGINE_SAMPLES = {
    "reviews": {
        "assigned": 0,
        "count": 0,
        "all_submitted": False,
        "mean": 0.0,
        "min": 0,
        "max": 0,
        "round": 1,
        "by_kind": {},
    },
    "actor": {"id": 0, "roles": []},
    "application": {"state": "", "days_in_state": 0, "today": "2026-01-01"},
    "event": {"name": "", "program": "", "state": "", "application_id": 0},
}


def non_boolean_result(expression: Expression, fields: dict) -> str | None:
    """The kind of value the guard gives on samples if it is not a boolean (e.g. 'a number'), else None."""
    context: dict[str, Any] = {}
    for name in expression.variables:
        source = CONTEXT_SOURCES.get(name)
        sample: Any = ENGINE_SAMPLES.get(name) if source is None else source.sample
        if name == "data":
            sample = {}
            for field_name in expression.data_fields:
                spec = fields.get(field_name)
                value = sample_value(spec) if spec is not None else None
                if value is None:
                    return None
                sample[field_name] = value
        if sample is None:
            return None
        context[name] = sample
    try:
        result = expression.value(context)
    except GuardEvaluationError:
        return None
    if isinstance(result, bool):
        return None
    if isinstance(result, int | float):
        return "a number"
    if isinstance(result, str):
        return "text"
    return "a list or a map" if isinstance(result, list | dict) else "not true or false"


def check_boolean(checker, path, expression: Expression) -> None:
    """Report a guard that gives something other than true or false on the samples."""
    gives = non_boolean_result(expression, typed_fields(checker))
    if gives:
        checker.add(
            path,
            f"a guard must be true or false, but this one gives {gives}",
            'compare it, e.g. data.amount > 0, or data.name != ""',
        )


def typed_fields(checker) -> dict[str, FieldSpec]:
    """The checker's well-formed field specs by name (badly formed ones are reported elsewhere)."""
    if checker._typed is None:
        checker._typed = {}
        for _, spec in checker.field_specs():
            try:
                parsed = FieldSpec.model_validate(spec)
            except ValidationError:
                continue
            checker._typed.setdefault(parsed.name, parsed)
    return checker._typed
