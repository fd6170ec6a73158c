"""The administrator's forms: inviting a staff member or reviewer, importing reviewers from a file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import EmailField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from forms import BaseForm
from workflow.vocabulary.fields import EMAIL


def role_choice(role: str, program_key: str | None) -> str:
    """The checkbox value of a role given for one program (or every program)."""
    return f"{role}|{program_key or ''}"


def parse_role_choice(value: str) -> tuple[str, str | None]:
    role, _, program_key = value.partition("|")
    return role, program_key or None


class InviteForm(BaseForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=200, message=_l("Too long."))]
    )
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter the e-mail address.")),
            Regexp(EMAIL, message=_l("Enter a valid e-mail address.")),
            Length(max=254, message=_l("Too long.")),
        ],
    )
    organisation = StringField(
        _l("Organisation"), validators=[Optional(), Length(max=200, message=_l("Too long."))]
    )
    language = SelectField(_l("Language of e-mails and pages"))
    roles = SelectMultipleField(
        _l("Roles"),
        validate_choice=True,
        validators=[DataRequired(_l("Choose at least one role."))],
    )


class ImportForm(BaseForm):
    file = FileField(
        _l("File (CSV or XLSX)"),
        description=_l(
            "One reviewer per row with the columns name, email, organisation, programs, language. "
            "Programs: program titles separated by ; (empty: every program). At most 500 rows and 1 MB."
        ),
        validators=[DataRequired(_l("Choose a file."))],
    )


class ConfirmImportForm(BaseForm):
    payload = HiddenField()
