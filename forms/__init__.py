"""WTForms for the web: one BaseForm (Flask-WTF, CSRF on) shared by every form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FileField, IntegerField, MultipleFileField, TextAreaField

from workflow.vocabulary.fields import CONTROL, TEXTAREA_CONTROL
from workflow.vocabulary.numbers import whole_number

try:  # WTForms 3.3 wants SelectChoice objects; older versions take (value, label) pairs
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - depends on the installed WTForms
    SelectChoice = None

CONTROL_MESSAGE = _l("This entry contains control characters that are not allowed. Please retype it.")
WHOLE_NUMBER_MESSAGE = _l("Enter a whole number in the digits 0 to 9.")


class BaseForm(FlaskForm):
    """Every form carries a CSRF token and refuses control characters in every field (a NUL byte would
    reach the database); textareas keep tab and line breaks. Subclasses only declare fields."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field, FileField | MultipleFileField) or field.errors:
                continue
            allowed = TEXTAREA_CONTROL if isinstance(field, TextAreaField) else CONTROL
            if any(isinstance(value, str) and allowed.search(value) for value in field.raw_data or ()):
                field.errors = [*field.errors, str(CONTROL_MESSAGE)]
                valid = False
        self._errors = None  # form.errors is cached once read; rebuild it with these
        return valid


class WholeNumberField(IntegerField):
    """A whole number typed in ASCII digits (WTForms' IntegerField takes '١٢' as 12)."""

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        self.data = whole_number(valuelist[0], 10**9)
        if self.data is None:
            raise ValueError(str(WHOLE_NUMBER_MESSAGE))


def choices(pairs) -> list:
    """(value, label) pairs as the installed WTForms expects them."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]
