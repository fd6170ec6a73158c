"""Checks of a state's `deadline:`: what it fires, its reminders, and the expressions it reads.

A duration or date taken from the application's data is an expression over `data.*` only (a timer is
set when the state is entered, from the values then); each is compiled and run once on sample values
of the fields it reads, so a deadline that gives text where a number belongs is refused at load.
"""

from __future__ import annotations

from typing import Any

from workflow.definitions import wording
from workflow.definitions.booleans import typed_fields
from workflow.definitions.dates import as_count, as_date
from workflow.definitions.raw import mapping
from workflow.vocabulary.fields import sample_value
from workflow.vocabulary.guards import GuardEvaluationError, GuardSyntaxError, compile_expression

UNITS = ("days", "business_days", "months", "years")
EXAMPLES = {
    "days": "days: 14, or days: data.review_days",
    "business_days": "business_days: 10, or business_days: data.answer_days",
    "months": "months: 6, or months: data.term_months",
    "years": "years: data.term_years",
    "date": "date: data.report_due",
    "from": "from: data.effective_from",
}


def check_deadline(checker, name: str, deadline: dict) -> None:
    path = ("states", name, "deadline")
    expiry = mapping(deadline.get("on_expiry"))
    if expiry.get("fire"):
        checker.check_timer_trigger((*path, "on_expiry", "fire"), name, expiry["fire"])
    if expiry.get("notice"):
        checker.notice_ref((*path, "on_expiry", "notice"), expiry["notice"])
    reminders = deadline.get("reminders")
    for index, reminder in enumerate(reminders if isinstance(reminders, list) else []):
        reminder = mapping(reminder)
        if reminder.get("notice"):
            checker.notice_ref((*path, "reminders", index, "notice"), reminder["notice"])
        days = deadline.get("days")
        before = reminder.get("days_before")
        if isinstance(days, int) and isinstance(before, int) and before >= days > 0:
            checker.add(
                (*path, "reminders", index, "days_before"),
                "a reminder must come before the deadline",
                f"use fewer than {days} days",
            )
    for key in (*UNITS, "date", "from"):
        if isinstance(deadline.get(key), str):
            _check_value(checker, (*path, key), key, deadline[key])


def _check_value(checker, path, key: str, source: str) -> None:
    wanted = "a date" if key in ("date", "from") else "a whole number"
    try:
        expression = compile_expression(source)
    except GuardSyntaxError as error:
        what, _hint = wording.expression_error(error.message)
        checker.add(
            path,
            f"{'.'.join(map(str, path))}: should be {wanted} or an expression giving one ({what})",
            f"e.g. {EXAMPLES[key]}",
        )
        return
    others = sorted(expression.variables - {"data"})
    if others:
        checker.add(
            path,
            f"a deadline reads only data.* (the values when the state is entered), not '{others[0]}'",
            f"e.g. {EXAMPLES[key]}",
        )
        return
    known = checker.known_fields()
    unknown = sorted(expression.data_fields - known)
    for field_name in unknown:
        checker.add(
            path, f"expression names unknown field 'data.{field_name}'", "define it in a stage's fields"
        )
    if unknown:
        return
    gives = _sample_result(expression, typed_fields(checker))
    if gives is _UNKNOWN:
        return
    fits = as_date(gives) is not None if key in ("date", "from") else as_count(gives) is not None
    if not fits:
        checker.add(
            path,
            f"{'.'.join(map(str, path))}: should give {wanted}, but this one gives {_kind(gives, key)}",
            f"e.g. {EXAMPLES[key]}",
        )


_UNKNOWN = object()


def _sample_result(expression, fields: dict) -> Any:
    data = {}
    for field_name in expression.data_fields:
        spec = fields.get(field_name)
        value = sample_value(spec) if spec is not None else None
        if value is None:
            return _UNKNOWN
        data[field_name] = value
    try:
        return expression.value({"data": data})
    except GuardEvaluationError:
        return _UNKNOWN


def _kind(value: Any, key: str) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number" if key in ("date", "from") else "a decimal or negative number"
    if isinstance(value, str):
        return "text"
    return "a list or a map"
