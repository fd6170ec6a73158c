"""The applicant's own account details: name, organisation, contact phone and language (the account
page), and the profile values a new application is prefilled with (workflow/vocabulary/profile.py)."""

from __future__ import annotations

from sqlalchemy import select, update

from workflow.models import User


def profile_of(connection, user_id: int) -> dict:
    row = connection.execute(
        select(User.name, User.organisation, User.email, User.phone, User.language).where(User.id == user_id)
    ).first()
    return dict(row._mapping) if row is not None else {}


def update_profile(
    db, user_id: int, name: str, organisation: str | None, phone: str | None, language: str
) -> None:
    """Store what the account page checked (the form refuses control characters and bad formats)."""
    with db.begin() as connection:
        connection.execute(
            update(User)
            .where(User.id == user_id)
            .values(
                name=name.strip(),
                organisation=(organisation or "").strip() or None,
                phone=(phone or "").strip() or None,
                language=language,
            )
        )
