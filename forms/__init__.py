"""WTForms for the web: one BaseForm (Flask-WTF, CSRF on) shared by every form."""

from flask_wtf import FlaskForm

try:  # WTForms 3.3 wants SelectChoice objects; older versions take (value, label) pairs
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - depends on the installed WTForms
    SelectChoice = None


class BaseForm(FlaskForm):
    """Every form carries a CSRF token; subclasses only declare fields."""


def choices(pairs) -> list:
    """(value, label) pairs as the installed WTForms expects them."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]
