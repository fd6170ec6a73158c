"""Field types of the rule format: an open registry, so a new type plugs in without touching the engine.

Each type is one `FieldType`: how a submitted value becomes its stored form (or a Message saying why
not), the rule-file options it takes, the widget the web forms (forms/dynamic.py) give it, how a stored
value is shown in a form, and a valid and an invalid sample (for the checker, the walker and tests).
How to add one: workflow/vocabulary/FIELD_TYPES.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workflow.vocabulary.messages import Message, format_krw

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9]{2,4}-?[0-9]{3,4}-?[0-9]{4}$")
BUSINESS_NO = re.compile(r"^[0-9]{3}-[0-9]{2}-[0-9]{5}$")
EMPTY: tuple[object, ...] = (None, "", [])
# ASCII digits only: str.isdigit() and \d also accept '²' and '١', which int() then rejects or misreads
WHOLE_NUMBER = re.compile(r"-?[0-9]+")
DECIMAL_NUMBER = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")  # e.g. a foreign-currency amount: 1234.56
# C0/C1 control characters (NUL among them: PostgreSQL refuses it in text); a textarea keeps tab and newlines
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TEXTAREA_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The widest range of each number type; a rule file's `min`/`max` may only narrow it. Sums and small
# multiples of these stay far inside a guard's 64-bit integers.
NUMBER_LIMITS = {"integer": (-1_000_000_000, 1_000_000_000), "money": (0, 1_000_000_000_000)}


def _as_is(value):
    return value


def _plain(value, spec, lang: str) -> str:
    return str(value)


def _grouped(value, spec, lang: str) -> str:
    return f"{value:,}"


def _won(value, spec, lang: str) -> str:
    return format_krw(int(value), lang).replace(" ", "\u00a0")  # never wraps mid-amount


def _yes_no(value, spec, lang: str) -> str:
    return {"ko": ("아니오", "예"), "en": ("No", "Yes")}["en" if lang == "en" else "ko"][bool(value)]


def _choice_labels(value, spec, lang: str) -> str:
    chosen = value if isinstance(value, list) else [value]
    return ", ".join(c.label.get(lang) for c in spec.choices or [] if c.value in chosen)


@dataclass(frozen=True)
class FieldType:
    name: str
    coerce: Callable  # (value, spec) -> stored value, raises FieldError
    options: frozenset[str]  # rule-file options that make sense for this type
    widget: str  # the form widget kind (forms/dynamic.py WIDGETS): text, textarea, number, date, ...
    sample: Callable  # (spec) -> a valid stored value for this field (within its choices and bounds)
    invalid: object  # a submitted value every field of this type refuses
    display: Callable = _as_is  # stored value -> what the form shows
    requires: frozenset[str] = frozenset()  # options a field of this type must have (e.g. choices)
    show: Callable = _plain  # (stored value, spec, lang) -> text for pages that only show it


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
FIELD_TYPES: dict[str, FieldType] = {}


def register_field_type(field_type: FieldType) -> FieldType:
    FIELD_TYPES[field_type.name] = field_type
    return field_type


def typed_options() -> frozenset[str]:
    """Every option some type takes (an option of another type on a field is an error)."""
    return frozenset().union(*(t.options for t in FIELD_TYPES.values()))


def _decimal(value, spec) -> str:
    """A number with at most two decimal places, stored as exact text ("1234.50"), never a float."""
    if isinstance(value, bool):
        raise FieldError("not_decimal")
    text = str(value).replace(",", "").strip()
    if not DECIMAL_NUMBER.fullmatch(text):
        raise FieldError("not_decimal")
    number = Decimal(text)
    if spec.min is not None and number < spec.min:
        raise FieldError("below_min", min=f"{spec.min:,}")
    if spec.max is not None and number > spec.max:
        raise FieldError("above_max", max=f"{spec.max:,}")
    return f"{number:.2f}"


def _decimal_sample(spec) -> str:
    value = Decimal("100") if spec.min is None else max(Decimal("100"), Decimal(spec.min))
    return f"{value if spec.max is None else min(value, Decimal(spec.max)):.2f}"


def _decimal_shown(value, spec, lang: str) -> str:
    return f"{Decimal(str(value)):,.2f}"


def _text_sample(spec) -> str:
    return "x" * max(spec.min_length or 1, 1)


def _number_sample(default: int):
    def sample(spec) -> int:
        value = default if spec.min is None else max(default, spec.min)
        return value if spec.max is None else min(value, spec.max)

    return sample


def _first_choice(spec):
    return spec.choices[0].value if spec.choices else None


def _constant(value):
    return lambda spec: value


def _as_text(value) -> str:
    return str(value)


def _as_grouped_text(value) -> str:
    """45000000 as the amount field shows it while typing: 45,000,000 (which the field accepts back)."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


CHOICES = frozenset({"choices"})
for _type in (
    FieldType("text", _text, TEXT_OPTIONS, "text", _text_sample, "nul\x00byte"),
    FieldType("textarea", _textarea, TEXT_OPTIONS, "textarea", _text_sample, "nul\x00byte"),
    FieldType(
        "integer", _integer, NUMBER_OPTIONS, "number", _number_sample(1), "twelve", _as_text, show=_grouped
    ),
    FieldType(
        "money",
        _money,
        NUMBER_OPTIONS,
        "amount",
        _number_sample(1_000_000),
        "1.5원",
        _as_grouped_text,
        show=_won,
    ),
    FieldType("decimal", _decimal, NUMBER_OPTIONS, "text", _decimal_sample, "12.345", show=_decimal_shown),
    FieldType("date", _date, frozenset(), "date", _constant("2026-01-01"), "2026-13-01"),
    FieldType(
        "choice",
        _choice,
        CHOICES,
        "select",
        _first_choice,
        "not-a-choice",
        requires=CHOICES,
        show=_choice_labels,
    ),
    FieldType(
        "multi_choice",
        _multi_choice,
        CHOICES,
        "checkboxes",
        lambda spec: [_first_choice(spec)],
        ["not-a-choice"],
        requires=CHOICES,
        show=_choice_labels,
    ),
    FieldType(
        "boolean",
        _boolean,
        frozenset(),
        "yes_no",
        _constant(True),
        "maybe",
        lambda v: "true" if v else "false",
        show=_yes_no,
    ),
    FieldType(
        "email",
        _matching(EMAIL, "not_email"),
        frozenset({"max_length"}),
        "email",
        _constant("someone@example.kr"),
        "someone@",
    ),
    FieldType("phone", _matching(PHONE, "not_phone"), frozenset(), "tel", _constant("010-1234-5678"), "12"),
    FieldType(
        "business_no",
        _matching(BUSINESS_NO, "not_business_no"),
        frozenset(),
        "business_no",
        _constant("123-45-67890"),
        "1234567890",
    ),
    FieldType(
        "file",
        _file,
        frozenset({"accept", "max_mb"}),
        "file",
        _constant({"id": "sample", "name": "sample.pdf", "size": 1}),
        "plan.pdf",
    ),
):
    register_field_type(_type)


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


def sample_value(spec):
    """A valid stored value for the field (its type's sample), or None for an unknown type."""
    field_type = FIELD_TYPES.get(spec.type)
    return field_type.sample(spec) if field_type else None
