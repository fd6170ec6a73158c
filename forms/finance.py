"""Finance forms: an exchange rate (the view records it through workflow.services.finance.add_rate)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length, Optional

from forms import BaseForm


class RateForm(BaseForm):
    currency = StringField(
        _l("Currency"),
        description=_l("Three letters, e.g. USD or EUR."),
        validators=[InputRequired(_l("Enter the currency.")), Length(min=3, max=3)],
        render_kw={"maxlength": 3, "autocapitalize": "characters", "placeholder": "USD"},
    )
    rate = StringField(
        _l("Rate (KRW per unit)"),
        description=_l("Up to four decimal places, e.g. 1,385.20."),
        validators=[InputRequired(_l("Enter the rate.")), Length(max=20)],
        render_kw={"inputmode": "decimal", "placeholder": "1385.20"},
    )
    effective_on = DateField(_l("Effective on"), validators=[InputRequired(_l("Enter the date."))])
    source = StringField(
        _l("Source"),
        description=_l("Where the rate comes from, e.g. the Bank of Korea."),
        validators=[Optional(), Length(max=200)],
        render_kw={"maxlength": 200},
    )
