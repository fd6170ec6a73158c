"""Who to ask: the active administrators (they create reviewer and staff accounts), by name and address."""

from __future__ import annotations

from sqlalchemy import select

from workflow.models import User, UserRole
from workflow.vocabulary.roles import roles_that


def administrators(connection, limit: int = 5) -> list[dict]:
    """Active users holding an administrator role, by name (a few: the page lists whom to ask)."""
    rows = connection.execute(
        select(User.name, User.email)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(roles_that("admin")), UserRole.program_key.is_(None), User.active.is_(True))
        .distinct()
        .order_by(User.name)
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]
