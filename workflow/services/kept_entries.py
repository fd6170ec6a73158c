"""Entries a field refused, kept as typed for the person who typed them (models/drafts.py `KeptEntry`).

Autosave and the form's Save store the valid values in the application (through the engine) and the
refused ones here, so a reload shows both; a corrected entry leaves this table on the next save.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from workflow.models import KeptEntry
from workflow.vocabulary.fields import TEXTAREA_CONTROL

MAX_ENTRY = 20_000  # characters of one kept entry (the longest field's limit is far below)


def _clean(value) -> str:
    """Bounded, and without the control characters a database refuses (a NUL byte); line breaks stay."""
    return TEXTAREA_CONTROL.sub("", str(value))[:MAX_ENTRY]


def kept_entries(connection, application_id: int, user_id: int) -> dict:
    found = connection.execute(
        select(KeptEntry.entries).where(
            KeptEntry.application_id == application_id, KeptEntry.user_id == user_id
        )
    ).scalar()
    return dict(found or {})


def keep_entries(db, application_id: int, user_id: int, entries: dict, now) -> None:
    """Replace what is kept for this person and application with `entries` (nothing kept if empty)."""
    bounded = {
        name: [_clean(v) for v in value[:50]] if isinstance(value, list) else _clean(value)
        for name, value in entries.items()
    }
    with db.begin() as connection:
        connection.execute(
            delete(KeptEntry).where(KeptEntry.application_id == application_id, KeptEntry.user_id == user_id)
        )
        if bounded:
            connection.execute(
                insert(KeptEntry).values(
                    application_id=application_id, user_id=user_id, entries=bounded, updated_at=now
                )
            )
