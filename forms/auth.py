"""Sign-in, sign-up, password reset and language forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from forms import BaseForm, choices
from workflow.services.accounts import MIN_PASSWORD
from workflow.vocabulary.fields import EMAIL, PHONE


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    next = HiddenField()


class SignupForm(BaseForm):
    kind = RadioField(
        _l("I apply as"),
        choices=choices(
            [("company", _l("A company")), ("individual", _l("An individual (founder, researcher)"))]
        ),
        default="company",
        validators=[DataRequired(_l("Choose one."))],
    )
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200, message=_l("Too long."))],
    )
    organisation = StringField(
        _l("Company name"),
        description=_l("Only for companies."),
        validators=[Optional(), Length(max=200, message=_l("Too long."))],
    )
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Regexp(EMAIL, message=_l("Enter a valid e-mail address.")),
            Length(max=254, message=_l("Too long.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters, hard to guess: a few unrelated words work well."),
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(min=MIN_PASSWORD, max=200, message=_l("Use at least 10 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
    )


class ResetRequestForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address."))])


class ResetForm(BaseForm):
    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters, hard to guess: a few unrelated words work well."),
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(min=MIN_PASSWORD, max=200, message=_l("Use at least 10 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Password again"), validators=[EqualTo("password", _l("The two passwords differ."))]
    )


class ChangePasswordForm(BaseForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters, hard to guess: a few unrelated words work well."),
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(min=MIN_PASSWORD, max=200, message=_l("Use at least 10 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("New password again"), validators=[EqualTo("password", _l("The two passwords differ."))]
    )


class ProfileForm(BaseForm):
    """The account page: what a new application is prefilled with, and the language of pages and mail."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200, message=_l("Too long."))],
    )
    organisation = StringField(
        _l("Company or organisation"),
        description=_l("New applications start with it as the company name."),
        validators=[Optional(), Length(max=200, message=_l("Too long."))],
    )
    phone = StringField(
        _l("Contact phone"),
        description=_l("e.g. 010-1234-5678 or 033-123-4567"),
        validators=[
            Optional(),
            Regexp(PHONE, message=_l("Enter a phone number like 010-1234-5678.")),
            Length(max=20, message=_l("Too long.")),
        ],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    language = RadioField(
        _l("Language of pages and e-mails"),
        choices=choices([("ko", _l("Korean")), ("en", _l("English"))]),
        validators=[DataRequired(_l("Choose one."))],
    )


class LanguageForm(BaseForm):
    lang = HiddenField()
    next = HiddenField()
