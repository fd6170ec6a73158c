"""The text the board searches: one normalised column per application (`applications.search_text`),
written by the engine whenever it writes the data, so a search is one indexed `LIKE` (trigrams on
PostgreSQL) instead of a scan of every row's JSON joined to its applicant."""

from __future__ import annotations

import unicodedata

from sqlalchemy import Text, bindparam, func, select

from workflow.models import Application, User


def normalise(text: str | None) -> str:
    """Lower case, NFKC (full-width letters and digits as usual ones), one space between words."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def data_text(program, data: dict | None) -> str:
    """The searchable part of an application's data: its title and organisation (`key_fields:`)."""
    parts = dict.fromkeys((program.title_of(data), program.organisation_of(data)))
    return normalise(" ".join(p for p in parts if p))


# the applicant's part, read in the same statement that writes the row (names change rarely; a
# renamed applicant is found by the new name after the application's next write)
APPLICANT_TEXT = (
    select(func.lower(func.coalesce(User.name, "") + " " + func.coalesce(User.organisation, "")))
    .where(User.id == Application.applicant_id)
    .correlate(Application)
    .scalar_subquery()
)

APPLICANT_BY_ID = (
    select(func.lower(func.coalesce(User.name, "") + " " + func.coalesce(User.organisation, "")))
    .where(User.id == bindparam("b_applicant"))
    .scalar_subquery()
)


def search_value(parameter: str = "search_data"):
    """The SQL value of `search_text`: the data's part (a bind parameter) and the applicant's part."""
    return func.trim(bindparam(parameter, type_=Text) + " " + APPLICANT_TEXT)
