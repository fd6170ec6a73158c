"""Field types of the rule format: a registry, so a new type plugs in without touching the engine.

Each type turns a submitted value into its stored form or returns a Message explaining why not.
The web forms (forms/) build their widgets from the same registry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from workflow.messages import Message

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9]{2,4}-?[0-9]{3,4}-?[0-9]{4}$")
BUSINESS_NO = re.compile(r"^[0-9]{3}-[0-9]{2}-[0-9]{5}$")
EMPTY = (None, "", [])
# ASCII digits only: str.isdigit() and \d also accept '²' and '١', which int() then rejects or misreads
WHOLE_NUMBER = re.compile(r"-?[0-9]+")
# C0/C1 control characters (NUL among them: PostgreSQL refuses it in text); a textarea keeps tab and newlines
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TEXTAREA_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The widest range of each number type; a rule file's `min`/`max` may only narrow it. Sums and small
# multiples of these stay far inside a guard's 64-bit integers.
NUMBER_LIMITS = {"integer": (-1_000_000_000, 1_000_000_000), "money": (0, 1_000_000_000_000)}


@dataclass(frozen=True)
class FieldType:
    name: str
    coerce: Callable  # (value, spec) -> value, raises FieldError
    options: frozenset[str]  # rule-file options that make sense for this type


class FieldError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.message = Message(code, params)


def _no_controls(value: str, pattern: re.Pattern = CONTROL) -> str:
    if pattern.search(value):
        raise FieldError("control_characters")
    return value


def _length(value: str, spec) -> str:
    if spec.min_length is not None and len(value) < spec.min_length:
        raise FieldError("too_short", min=spec.min_length)
    if spec.max_length is not None and len(value) > spec.max_length:
        raise FieldError("too_long", max=spec.max_length)
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        raise FieldError("pattern")
    return value


def _text(value, spec) -> str:
    if not isinstance(value, str):
        value = str(value)
    return _length(_no_controls(value.strip()), spec)


def _textarea(value, spec) -> str:
    if not isinstance(value, str):
        value = str(value)
    return _length(_no_controls(value.strip(), TEXTAREA_CONTROL), spec)


def _bounded_int(value, spec, code: str, kind: str) -> int:
    if isinstance(value, bool):
        raise FieldError(code)
    if isinstance(value, str):
        cleaned = value.replace(",", "").replace("원", "").strip()
        if len(cleaned) > 30 or not WHOLE_NUMBER.fullmatch(cleaned):
            raise FieldError(code)
        value = int(cleaned)
    if not isinstance(value, int):
        raise FieldError(code)
    lowest, highest = NUMBER_LIMITS[kind]
    low = lowest if spec.min is None else max(spec.min, lowest)
    high = highest if spec.max is None else min(spec.max, highest)
    if value < low:
        raise FieldError("below_min", min=f"{low:,}")
    if value > high:
        raise FieldError("above_max", max=f"{high:,}")
    return value


def _integer(value, spec) -> int:
    return _bounded_int(value, spec, "not_integer", "integer")


def _money(value, spec) -> int:
    return _bounded_int(value, spec, "not_money", "money")


def _date(value, spec) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise FieldError("not_date") from None


def _choice_values(spec) -> set[str]:
    return {choice.value for choice in spec.choices or []}


def _choice(value, spec) -> str:
    if str(value) not in _choice_values(spec):
        raise FieldError("not_choice")
    return str(value)


def _multi_choice(value, spec) -> list[str]:
    values = [value] if isinstance(value, str) else list(value or [])
    allowed = _choice_values(spec)
    if any(str(v) not in allowed for v in values):
        raise FieldError("not_choice")
    return sorted({str(v) for v in values})


def _boolean(value, spec) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "on", "예"):
        return True
    if text in ("false", "0", "no", "n", "off", "아니오"):
        return False
    raise FieldError("not_boolean")


def _matching(regex: re.Pattern, code: str):
    def coerce(value, spec) -> str:
        text = _no_controls(str(value).strip())
        if not regex.fullmatch(text):
            raise FieldError(code)
        return _length(text, spec)

    return coerce


def _file(value, spec) -> dict:
    """A stored upload's reference: {id, name, size, sha256, content_type}; the bytes live in storage."""
    if not isinstance(value, dict) or not {"id", "name", "size"} <= value.keys():
        raise FieldError("not_file")
    accept = [ext.lower().lstrip(".") for ext in spec.accept or []]
    extension = str(value["name"]).rsplit(".", 1)[-1].lower() if "." in str(value["name"]) else ""
    if accept and extension not in accept:
        raise FieldError("file_type", accept=", ".join(accept))
    if spec.max_mb and int(value["size"]) > spec.max_mb * 1024 * 1024:
        raise FieldError("file_size", max_mb=spec.max_mb)
    return {k: value[k] for k in ("id", "name", "size", "sha256", "content_type") if k in value}


TEXT_OPTIONS = frozenset({"min_length", "max_length", "pattern"})
NUMBER_OPTIONS = frozenset({"min", "max"})
FIELD_TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType("text", _text, TEXT_OPTIONS),
        FieldType("textarea", _textarea, TEXT_OPTIONS),
        FieldType("integer", _integer, NUMBER_OPTIONS),
        FieldType("money", _money, NUMBER_OPTIONS),
        FieldType("date", _date, frozenset()),
        FieldType("choice", _choice, frozenset({"choices"})),
        FieldType("multi_choice", _multi_choice, frozenset({"choices"})),
        FieldType("boolean", _boolean, frozenset()),
        FieldType("email", _matching(EMAIL, "not_email"), frozenset({"max_length"})),
        FieldType("phone", _matching(PHONE, "not_phone"), frozenset()),
        FieldType("business_no", _matching(BUSINESS_NO, "not_business_no"), frozenset()),
        FieldType("file", _file, frozenset({"accept", "max_mb"})),
    )
}
TYPED_OPTIONS = frozenset().union(*(t.options for t in FIELD_TYPES.values()))


def is_empty(value) -> bool:
    return value in EMPTY or (isinstance(value, str) and not value.strip())


def clean_value(spec, value):
    """Return the stored form of `value` for field `spec`, or raise FieldError."""
    if is_empty(value):
        if spec.required:
            raise FieldError("required")
        return None
    return FIELD_TYPES[spec.type].coerce(value, spec)


def clean_values(specs: dict, values: dict) -> tuple[dict, dict[str, Message]]:
    """Clean the given values (only those present); returns (cleaned, errors by field)."""
    cleaned, errors = {}, {}
    for name, value in values.items():
        try:
            cleaned[name] = clean_value(specs[name], value)
        except FieldError as error:
            errors[name] = error.message
    return cleaned, errors


def missing_required(specs, data: dict) -> list[str]:
    return [spec.name for spec in specs if spec.required and is_empty(data.get(spec.name))]


SAMPLES = {
    "text": "sample",
    "textarea": "sample",
    "integer": 1,
    "money": 1_000_000,
    "date": "2026-01-01",
    "boolean": True,
    "email": "someone@example.kr",
    "phone": "010-1234-5678",
    "business_no": "123-45-67890",
    "file": {"id": "sample", "name": "sample.pdf", "size": 1},
}


def sample_value(spec):
    """A valid stored value for the field (its type's sample, within its choices and bounds)."""
    if spec.type in ("choice", "multi_choice"):
        first = spec.choices[0].value if spec.choices else None
        return first if spec.type == "choice" or first is None else [first]
    value = SAMPLES.get(spec.type)
    if isinstance(value, int) and not isinstance(value, bool) and spec.min is not None:
        value = max(value, spec.min)
    return value
