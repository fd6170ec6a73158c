"""What the officer's board sorts by, kept on the application row: the engine writes these columns in
the statement that writes the data, state and timers they come from, so every order of the board is
read from an index on (program, column, id) instead of computing a value for every application.

- `key_title`, `key_amount`: the values of the rule file's `key_fields:` title and amount;
- `open_deadline`: when the deadline started on entering the current state falls (kept after it has
  passed, so the board shows it overdue);
- `applicant_name`: the applicant's name, read from the user in the statement that inserts the row
  (a database trigger follows a renamed user, migration 0019).

None of them is part of the hash-chained history: `audit verify` compares the data they come from."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, select

from workflow.engine.deadlines import due_moment
from workflow.models import User

KEY_TITLE_LENGTH = 300  # characters kept for sorting: bounded, so any title fits in an index entry
BIGINT = 2**63


def key_title(program, data: dict | None) -> str | None:
    """The title field's value as text (a string as it is, another JSON value as JSON), None if absent."""
    name = program.title_field
    value = (data or {}).get(name) if name else None
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text[:KEY_TITLE_LENGTH]


def key_amount(program, data: dict | None) -> int | None:
    """The amount field's value if it is a whole number a BIGINT holds, else None."""
    value = program.amount_of(data)
    return value if value is not None and -BIGINT <= value < BIGINT else None


def key_values(program, data: dict | None) -> dict:
    """The columns that follow the data, as bind parameters of the engine's statements."""
    return {"key_title": key_title(program, data), "key_amount": key_amount(program, data)}


def deadline_due(program, state: str, data: dict, entered: datetime) -> datetime | None:
    """When the deadline of `state` entered at `entered` falls, None if the state has none (refuses,
    as `due_moment` does, when the data cannot give it)."""
    if program.spec.states[state].deadline is None:
        return None
    return due_moment(program, state, data, entered)


# the applicant's name, read in the statement that inserts the row
APPLICANT_NAME_BY_ID = select(User.name).where(User.id == bindparam("b_applicant")).scalar_subquery()
