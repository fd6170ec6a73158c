"""Reading ids, numbers and text from paths, query strings and hand-posted fields, strictly.

Every id in a path goes through `DatabaseId` (the app's `int` converter), every typed number through
`workflow.vocabulary.numbers`, and every hand-read text through `form_text` / `query_text` (PostgreSQL refuses a NUL
byte); what does not pass is a clear 400 or 404.
Forms built on `forms.BaseForm` get the same control-character check per field.
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, ValidationError

from workflow.vocabulary.fields import CONTROL, TEXTAREA_CONTROL
from workflow.vocabulary.numbers import ID, MAX_ID, whole_number
from workflow.web.i18n import gettext as _


class BadInput(BadRequest):
    """A 400 whose page says what was wrong (in the reader's language)."""

    def __init__(self, detail: str):
        super().__init__()
        self.detail = detail


class DatabaseId(BaseConverter):
    """`<int:...>` in every route: ASCII digits, 1 to 2^31 - 1; anything else matches no route (404)."""

    regex = ID.pattern
    weight = 50

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def _checked(value: str, multiline: bool) -> str:
    if (TEXTAREA_CONTROL if multiline else CONTROL).search(value):
        raise BadInput(_("The text contains control characters that are not allowed. Please retype it."))
    return value


def form_text(name: str, max_length: int, multiline: bool = False) -> str | None:
    """A posted text field, stripped and cut to `max_length`; None when empty; 400 on control characters."""
    value = _checked(request.form.get(name) or "", multiline).strip()[:max_length]
    return value or None


def query_text(name: str, max_length: int = 100) -> str:
    """A query-string value (a search box), cut to `max_length`; 400 on control characters."""
    return _checked(request.args.get(name) or "", multiline=False)[:max_length]


def query_page() -> int:
    """The `page` of a paged list (1 when absent or not a number)."""
    return whole_number(request.args.get("page"), 100_000) or 1


def row_version() -> int | None:
    """The version of the application the form was opened on (the optimistic lock), or None if missing."""
    return whole_number(request.form.get("row_version"), MAX_ID)


def version_missing() -> str:
    """Why a change sent without `row_version` was refused (every form of ours sends it)."""
    return _(
        "The form was sent without the application's version, so nothing was changed. Reload the page and try again."
    )


def init_app(app) -> None:
    app.url_map.converters["int"] = DatabaseId
