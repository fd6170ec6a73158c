"""Reviewer forms: the conflict-of-interest declaration and the rubric built from the rule file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from forms import BaseForm, WholeNumberField, choices


class ConflictForm(BaseForm):
    declaration = RadioField(
        _l("Conflict of interest"),
        choices=choices(
            [
                ("none", _l("I have no conflict of interest with this applicant")),
                (
                    "exclusion",
                    _l("Exclusion: I am related to the applicant (e.g. same organisation, family)"),
                ),
                ("recusal", _l("Recusal: I withdraw because my impartiality could be doubted")),
            ]
        ),
        validators=[InputRequired(_l("Choose one."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Required for an exclusion or a recusal."),
        validators=[Optional(), Length(max=2000, message=_l("Too long."))],
    )


class PledgeForm(BaseForm):
    accept = BooleanField(
        _l("I have read the pledge and will keep it."),
        validators=[InputRequired(_l("Tick the box to accept the pledge."))],
    )


class AssignForm(BaseForm):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int, validate_choice=True)
    kind = SelectField(_l("Reviewer kind"), validate_choice=True)  # removed when the file declares no kinds


def assign_form(program, lang: str, candidates) -> AssignForm:
    """The officer's assignment form: the reviewers offered and, if the rule file declares reviewer kinds
    (`review.kinds`), the kind to assign them as."""
    form = AssignForm()
    form.reviewer_id.choices = choices(
        (c["id"], f"{c['name']} · {c['organisation']}" if c["organisation"] else c["name"])
        for c in candidates
    )
    if program.review_kinds:
        form.kind.choices = choices((k, program.review_kind_label(k, lang)) for k in program.review_kinds)
    else:
        del form.kind
    return form


def rubric_form(rubric, lang: str, formdata=None):
    """One whole-number field per criterion (0..max) and a comment."""

    class RubricForm(BaseForm):
        comment = TextAreaField(
            _l("Comment"), validators=[Optional(), Length(max=4000, message=_l("Too long."))]
        )

    for item in rubric:
        label = f"{item.label.get(lang)} (0–{item.max})"
        message = _l("Enter a whole number from 0 to %(max)s.", max=item.max)
        setattr(
            RubricForm,
            f"score_{item.name}",
            WholeNumberField(
                label,
                description=item.description.get(lang) if item.description else "",
                validators=[InputRequired(message), NumberRange(0, item.max, message)],
                render_kw={"inputmode": "numeric", "min": 0, "max": item.max, "data-rubric-score": item.max},
            ),
        )
    return RubricForm(formdata=formdata)
