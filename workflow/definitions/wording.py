"""The checker's words: a schema error said as what is wrong, where, and the shape expected.

Pydantic reports "transitions.4.roles: Input should be a valid list"; an author reads
"transitions[submit].roles: should be a list, e.g. roles: [applicant, officer]".
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

# one-line examples of each part of the format, by the schema's class name or a key's name
EXAMPLES = {
    "I18n": "{ko: 기업명, en: Company name}",
    "Choice": "{value: seoul, label: {ko: 서울, en: Seoul}}",
    "FieldSpec": "{name: device_name, type: text, label: {ko: 기기명, en: Device name}}",
    "StageSpec": "{title: {ko: 신청서, en: Application}, editable_in: [draft], fields: [...]}",
    "RubricItem": "{name: innovation, max: 30, label: {ko: 혁신성, en: Innovation}}",
    "ReviewSpec": "{rubric: [{name: innovation, max: 30, label: {ko: 혁신성, en: Innovation}}], reviewers_per_application: 3}",
    "OnExpiry": "{fire: withdraw} or {notice: overdue}",
    "Reminder": "{days_before: 3, notice: reminder}",
    "Deadline": "{days: 14, on_expiry: {notice: overdue}}",
    "StateSpec": "{label: {ko: 심사 중, en: In review}}",
    "TransitionSpec": "{trigger: submit, from: draft, to: submitted, roles: [applicant]}",
    "Outcome": "{value: approve, trigger: approve, label: {ko: 승인, en: Approve}}",
    "DecisionSpec": "{in: screening, roles: [officer], label: {ko: 심사 결정, en: Decision}, outcomes: [...]}",
    "NoticeSpec": "{to: [applicant], template: received, channels: [email]}",
    "OpenPeriod": "open: {from: 2026-03-01, until: 2026-04-30}",
    "OpenParams": "open: {program: regulation-exception, copy: {title: data.title}}",
    "roles": "roles: [applicant, officer]",
    "from": "from: draft  or  from: [draft, changes_requested]",
    "editable_in": "editable_in: [draft, changes_requested]",
    "notice": "notice: received  or  notice: [received, copy_to_officer]",
    "open": "open: {from: 2026-03-01, until: 2026-04-30}",
    "version": 'version: "2026.1"',
    "key": "key: startup-support",
    "reason": "reason: required",
    "days": "days: 14",
    "on_expiry": "on_expiry: {notice: overdue}  or  on_expiry: {fire: withdraw}",
    "at": 'at: "18:00"',
}

PATTERNS = {
    r"^[a-z][a-z0-9_]*$": "a name of lowercase letters, digits and _ starting with a letter (e.g. pitch_review)",
    r"^[a-z][a-z0-9-]*$": "a key of lowercase letters, digits and - (e.g. startup-support)",
    r"^([01]\d|2[0-3]):[0-5]\d$": 'a time of day like "18:00"',
    r"^[0-9A-Za-z][0-9A-Za-z.\-]*$": 'a version of letters, digits, . and - (e.g. "2026.1")',
}

# pydantic's inner tags in a location (union members, validator names): not keys of the file
_TAGS = ("function-", "list[", "str", "int", "float", "bool", "dict[", "constrained", "literal[", "union[")


def where(raw: Any, loc: tuple) -> str:
    """The location as an author names it: transitions[submit].roles, stages.form.fields[amount].type."""
    text, node = "", raw
    for element in loc:
        if isinstance(element, int) and isinstance(node, list):
            item = node[element] if element < len(node) else None
            text += f"[{_name_of(node, element, item)}]"
            node = item
        elif isinstance(element, str) and isinstance(node, dict) and element in node:
            text += f".{element}" if text else element
            node = node[element]
        elif isinstance(element, str) and not element.startswith(_TAGS) and not isinstance(node, list):
            text += f".{element}" if text else element
            node = None
    return text


def _name_of(items: list, index: int, item: Any) -> str:
    """A list entry by its trigger or name (the second 'submit' is 'submit #2'), else its position (1-based)."""
    for key in ("trigger", "name", "value"):
        name = item.get(key) if isinstance(item, dict) else None
        if isinstance(name, str):
            same = [i for i, other in enumerate(items) if isinstance(other, dict) and other.get(key) == name]
            return name if len(same) == 1 else f"{name} #{same.index(index) + 1}"
    return f"#{index + 1}"


def plain(item: Mapping[str, Any]) -> tuple[str, str]:
    """(what is wrong, the expected shape with an example) for one pydantic error."""
    kind, ctx, loc = item["type"], item.get("ctx") or {}, item.get("loc") or ()
    last = next((str(e) for e in reversed(loc) if isinstance(e, str) and not e.startswith(_TAGS)), "")
    example = EXAMPLES.get(last, "")
    if kind == "missing":
        return "is missing", f"add it, e.g. {example}" if example else "add it (rules/README.md)"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        shape = EXAMPLES.get(str(ctx.get("class_name", "")), example)
        return (
            "should be a mapping (key: value)",
            f"e.g. {shape}" if shape else "write it as {key: value, ...}",
        )
    if kind == "list_type":
        return "should be a list", f"e.g. {example}" if example else "write it as [a, b]"
    if kind in ("string_type", "str_type"):
        return "should be text", "put it in quotes if it looks like a number or date"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "should be a whole number", f"e.g. {example}" if example else "e.g. 14"
    if kind in ("float_type", "float_parsing"):
        return "should be a number", "e.g. 0.5"
    if kind in ("bool_type", "bool_parsing"):
        return "should be true or false", "write true or false"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return "should be a date", "write it as YYYY-MM-DD, e.g. 2026-03-01"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"should be {PATTERNS.get(pattern, f'text matching {pattern}')}", ""
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters", "shorten it"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)", f"e.g. {example}" if example else ""
    if kind == "literal_error":
        return f"should be one of {ctx.get('expected')}", ""
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {
            "greater_than": "more than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }
        limit = next(iter(ctx.values()), "")
        return f"should be {words[kind]} {limit}", ""
    if kind == "value_error":
        return str(ctx.get("error") or item.get("msg", "")).removeprefix("Value error, "), ""
    if kind == "extra_forbidden":
        return "is not a key here", ""
    return str(item.get("msg", kind)).removeprefix("Value error, "), f"e.g. {example}" if example else ""


def effect_error(raw_effect: Any, errors: Sequence[Mapping[str, Any]], name: str) -> str:
    """One line for an effect whose parameters are wrong (instead of '1 validation error for ...')."""
    parts = []
    for item in errors:
        loc = tuple(item.get("loc") or ())
        place = where(raw_effect.get(name) if isinstance(raw_effect, dict) else None, loc)
        message, _hint = plain(item)
        parts.append(f"{place} {message}" if place else message)
    return f"effect '{name}': " + "; ".join(dict.fromkeys(parts))


CEL_WORDS = {"and": "&&", "or": "||", "not": "!", "=": "=="}


def expression_error(message: str) -> tuple[str, str]:
    """(what is wrong, hint) for a CEL syntax error, without the parser's token lists."""
    text = message.removeprefix("Syntax error: ").strip()
    if text.startswith("token recognition error at: "):
        token = text.removeprefix("token recognition error at: ")[1:-1]  # the parser quotes it
        if token[:1] in ("'", '"') or token[1:2] in ("'", '"'):
            return (
                "a text in quotes is not closed",
                "close it with the same quote, e.g. data.region == 'seoul'",
            )
        return f"unexpected '{token}'", "expressions use CEL: data.field, ==, !=, &&, ||, min(a, b)"
    if text.startswith("Incomplete "):  # the parser's own words for a part left out
        if "_?_:_" in text:
            return "a choice is missing a part", "write condition ? value : other, e.g. data.a > 0 ? 1 : 2"
        if "Index" in text:
            return "a [ is not closed", 'close it, e.g. children["report"].count'
        return "the expression is incomplete", "finish it, e.g. data.amount > 0 && data.cash > 0"
    found = _quoted_after(text, ("input ", "at: ", "at "))
    if found == "<EOF>" or text.endswith("'<EOF>'"):
        if text.startswith("missing ')'"):
            return "the expression ends before a ')' closes it", "add the missing )"
        return "the expression ends too early", "finish it, e.g. data.amount > 0 && data.cash > 0"
    if found is not None:
        word = found.strip()
        if word in CEL_WORDS:
            return f"'{word}' is not CEL", f"write {CEL_WORDS[word]} (e.g. data.a > 1 && data.b < 2)"
        if text.startswith("extraneous input"):
            return f"unexpected '{word}'", "remove it, or check for a doubled operator"
        return f"unexpected '{word}'", "expressions use CEL: data.field, ==, !=, &&, ||, min(a, b)"
    if text.startswith("reserved identifier"):
        return f"'{text.split(':')[-1].strip()}' is a reserved word in CEL", "use a ? b : c for a choice"
    return text.split(" expecting ")[0], "expressions use CEL: data.field, ==, !=, &&, ||, min(a, b)"


def _quoted_after(text: str, markers: tuple[str, ...]) -> str | None:
    for marker in markers:
        start = text.find(marker + "'")
        if start != -1:
            rest = text[start + len(marker) + 1 :]
            end = rest.find("'")
            if end != -1:
                return rest[:end]
    return None


def suggest(name, candidates) -> str:
    """ "did you mean 'x'?" for the closest candidate, or nothing."""
    close = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
