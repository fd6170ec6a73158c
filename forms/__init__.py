"""WTForms for the web: one BaseForm (Flask-WTF, CSRF on) shared by every form."""

from flask_wtf import FlaskForm


class BaseForm(FlaskForm):
    """Every form carries a CSRF token; subclasses only declare fields."""
