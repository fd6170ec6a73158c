"""Forms generated at runtime from a rule file's field list.

Each field type of `workflow.vocabulary.fields.FIELD_TYPES` names its widget kind; `WIDGETS` maps each kind to a
WTForms field factory (a new type reuses a kind, or a module adds one with `register_widget`). The
values are checked by the engine's own `clean_value`, so the web and `fire` never disagree, and the
messages come from the engine's bilingual catalogue in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import force_locale, gettext
from wtforms import (
    EmailField,
    FileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, DateInput, ListWidget

from forms import BaseForm, choices
from workflow.definitions.schema import FieldSpec
from workflow.vocabulary.fields import FIELD_TYPES, FieldError, clean_value, is_empty


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EngineCheck:
    """Validates with the engine's field registry; `required` is enforced only when `strict`."""

    def __init__(self, spec: FieldSpec, lang: str, strict: bool):
        self.spec, self.lang, self.strict = spec, lang, strict
        self.field_flags = {"required": True} if spec.required else {}

    def __call__(self, form, field) -> None:
        value = raw_value(self.spec, field)
        if is_empty(value) and not self.strict:
            field.cleaned = None
            return
        try:
            field.cleaned = clean_value(self.spec, value)
        except FieldError as error:
            raise ValidationError(error.message.text(self.lang)) from None


def raw_value(spec: FieldSpec, field):
    if widget_of(spec) == "file":  # an upload is stored first; the field holds its reference
        return getattr(field, "stored", None)
    return field.data


def _kw(spec: FieldSpec, lang: str, strict: bool, **render) -> dict:
    return {
        "label": spec.label.get(lang),
        "description": spec.help.get(lang) if spec.help else "",
        "validators": [EngineCheck(spec, lang, strict)],
        "render_kw": {k: v for k, v in render.items() if v is not None} or None,
    }


def _choices(spec: FieldSpec, lang: str) -> list[tuple[str, str]]:
    return [(c.value, c.label.get(lang)) for c in spec.choices or []]


def _yes_no(lang: str) -> list[tuple[str, str]]:
    with force_locale(lang):
        return [("true", gettext("Yes")), ("false", gettext("No"))]


def _number_hint(spec: FieldSpec) -> dict:
    return {"inputmode": "numeric", "autocomplete": "off"}


Factory = Callable[[FieldSpec, str, bool], object]
WIDGETS: dict[str, Factory] = {
    "text": lambda s, lang, strict: StringField(**_kw(s, lang, strict, maxlength=s.max_length)),
    "textarea": lambda s, lang, strict: TextAreaField(**_kw(s, lang, strict, maxlength=s.max_length, rows=6)),
    "number": lambda s, lang, strict: StringField(**_kw(s, lang, strict, **_number_hint(s))),
    # an amount shows thousands separators while typing (static/js/amounts.js); the server accepts them
    "amount": lambda s, lang, strict: StringField(
        **_kw(s, lang, strict, data_amount=True, **_number_hint(s))
    ),
    "date": lambda s, lang, strict: StringField(widget=DateInput(), **_kw(s, lang, strict)),
    "select": lambda s, lang, strict: SelectField(
        choices=choices([("", "—")] + _choices(s, lang)), validate_choice=False, **_kw(s, lang, strict)
    ),
    "checkboxes": lambda s, lang, strict: MultiCheckboxField(
        choices=choices(_choices(s, lang)), validate_choice=False, **_kw(s, lang, strict)
    ),
    "yes_no": lambda s, lang, strict: RadioField(
        choices=choices(_yes_no(lang)), validate_choice=False, **_kw(s, lang, strict)
    ),
    "email": lambda s, lang, strict: EmailField(**_kw(s, lang, strict, autocomplete="email")),
    "tel": lambda s, lang, strict: TelField(**_kw(s, lang, strict, autocomplete="tel")),
    "business_no": lambda s, lang, strict: StringField(**_kw(s, lang, strict, placeholder="123-45-67890")),
    "file": lambda s, lang, strict: FileField(
        **_kw(s, lang, strict, accept=",".join(f".{e}" for e in s.accept or []) or None)
    ),
}


def register_widget(kind: str, factory: Factory) -> None:
    """A widget kind for field types that need one the forms do not have yet."""
    WIDGETS[kind] = factory


def widget_of(spec: FieldSpec) -> str:
    return FIELD_TYPES[spec.type].widget


def display_value(spec: FieldSpec, value):
    """The stored value as the form shows it (the type's `display`: money without separators, ...)."""
    return None if value is None else FIELD_TYPES[spec.type].display(value)


def build_form(
    specs: list[FieldSpec], lang: str, stored: dict, formdata=None, strict: bool = False, meta=None
):
    """A form instance for these fields, filled from `formdata` (a POST) or else the stored values."""

    class RuleForm(BaseForm):
        pass

    for spec in specs:
        setattr(RuleForm, spec.name, WIDGETS[widget_of(spec)](spec, lang, strict))
    initial = {s.name: display_value(s, stored.get(s.name)) for s in specs if widget_of(s) != "file"}
    form = RuleForm(formdata=formdata, data=initial, meta=meta or {})
    form.specs = {s.name: s for s in specs}
    for spec in specs:
        if widget_of(spec) == "file":
            getattr(form, spec.name).stored = stored.get(spec.name)
    return form


def cleaned_values(form, include_empty_required: bool = False) -> dict:
    """Values that passed validation, ready for the engine; an empty required field is left out."""
    values = {}
    for name, spec in form.specs.items():
        field = getattr(form, name)
        if field.errors or not hasattr(field, "cleaned"):
            continue
        if field.cleaned is None and spec.required and not include_empty_required:
            continue
        values[name] = field.cleaned
    return values
