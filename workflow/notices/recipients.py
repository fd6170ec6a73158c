"""From the role names on an outbox row to the users who receive the notice.

Each role kind (workflow/vocabulary/roles.py `held_by`) has one resolver, so a new kind plugs in here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import or_, select

from workflow.engine.records import ApplicationRow
from workflow.models import ApplicationMember, ReviewAssignment, User, UserRole
from workflow.vocabulary.roles import ROLES


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str
    lang: str
    organisation: str
    roles: tuple[str, ...]
    audience: str  # "applicant" for the applicant side, else "staff"
    page: str = ROLES["applicant"].page  # the page this person uses for the application (`{id}`)

    @property
    def has_address(self) -> bool:
        local, at, domain = self.email.partition("@")
        return bool(local and at and "." in domain)


def _owner(connection, application: ApplicationRow, role: str) -> list[int]:
    return [application.applicant_id]


def _members(connection, application: ApplicationRow, role: str) -> list[int]:
    return list(
        connection.execute(
            select(ApplicationMember.user_id).where(
                ApplicationMember.application_id == application.id, ApplicationMember.relation == role
            )
        ).scalars()
    )


def _assignees(connection, application: ApplicationRow, role: str) -> list[int]:
    return list(
        connection.execute(
            select(ReviewAssignment.reviewer_id).where(
                ReviewAssignment.application_id == application.id, ReviewAssignment.coi != "conflict"
            )
        ).scalars()
    )


def _program_staff(connection, application: ApplicationRow, role: str) -> list[int]:
    return list(
        connection.execute(
            select(UserRole.user_id).where(
                UserRole.role == role,
                or_(UserRole.program_key == application.program_key, UserRole.program_key.is_(None)),
            )
        ).scalars()
    )


def _global(connection, application: ApplicationRow, role: str) -> list[int]:
    return list(
        connection.execute(
            select(UserRole.user_id).where(UserRole.role == role, UserRole.program_key.is_(None))
        ).scalars()
    )


RESOLVERS: dict[str, Callable[..., list[int]]] = {
    "owner": _owner,
    "member": _members,
    "assignment": _assignees,
    "program": _program_staff,
    "global": _global,
    "system": lambda connection, application, role: [],
}


def _page(held: tuple[str, ...], kinds: dict, applicant_side: bool) -> str:
    """The application's page for someone holding `held` (the notice's roles in its order): the applicant's
    side reads the status page; staff and reviewers the page of their first role that the registry names."""
    if applicant_side:
        return ROLES["applicant"].page
    return next((kinds[r].page for r in held if r in kinds), ROLES["applicant"].page)


def resolve(
    connection, application: dict, roles: list[str], kinds: dict | None = None
) -> tuple[list[Recipient], list[str]]:
    """The active users holding `roles` on this application (each once), and the roles nobody holds;
    `kinds` are the program's roles (built-in and its own), default the built-in ones."""
    kinds = kinds or ROLES
    by_user: dict[int, list[str]] = {}
    unheld = []
    for role in roles:
        kind = kinds[role].held_by if role in kinds else None
        user_ids = RESOLVERS[kind](connection, application, role) if kind in RESOLVERS else []
        if not user_ids:
            unheld.append(role)
        for user_id in user_ids:
            by_user.setdefault(user_id, []).append(role)
    if not by_user:
        return [], unheld
    users = connection.execute(
        select(User.id, User.name, User.email, User.language, User.active, User.organisation)
        .where(User.id.in_(by_user))
        .order_by(User.id)
    ).all()
    recipients = []
    for user in users:
        if not user.active:
            continue
        held = tuple(by_user[user.id])
        side = any(kinds[r].audience == "applicant" for r in held if r in kinds)
        recipients.append(
            Recipient(
                user_id=user.id,
                name=user.name,
                email=(user.email or "").strip(),
                lang=user.language if user.language in ("ko", "en") else "ko",
                organisation=user.organisation or "",
                roles=held,
                audience="applicant" if side else "staff",
                page=_page(held, kinds, side),
            )
        )
    return recipients, unheld
