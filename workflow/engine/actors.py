"""Who is acting: a user with global and per-program roles, or the system (timers, automatic steps)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, select

from workflow.models import User, UserRole


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    roles: frozenset[str] = frozenset()
    program_roles: dict[str, frozenset[str]] = field(default_factory=dict)
    lang: str = "ko"

    @property
    def is_system(self) -> bool:
        return self.id is None and "system" in self.roles

    def staff_roles(self, program_key: str) -> frozenset[str]:
        """Roles held globally or for this program (not relationship roles)."""
        return self.roles | self.program_roles.get(program_key, frozenset())


SYSTEM = Actor(id=None, name="system", roles=frozenset({"system"}))


# Every page asks who is signed in: one statement, built once (the user's row once per role held).
USER_WITH_ROLES = (
    select(
        User.id,
        User.email,
        User.name,
        User.organisation,
        User.language,
        User.active,
        User.email_verified_at,
        User.session_generation,
        UserRole.role,
        UserRole.program_key,
    )
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(User.id == bindparam("user_id"))
)


def load_actor(connection, user_id: int) -> Actor | None:
    rows = connection.execute(USER_WITH_ROLES, {"user_id": user_id}).all()
    return actor_of(rows)


def actor_of(rows) -> Actor | None:
    """The Actor from USER_WITH_ROLES rows (none: no such user)."""
    if not rows:
        return None
    global_roles: set[str] = set()
    per_program: dict[str, set[str]] = {}
    for row in rows:
        if row.role is None:
            continue  # a user without roles: the outer join's one empty row
        if row.program_key is None:
            global_roles.add(row.role)
        else:
            per_program.setdefault(row.program_key, set()).add(row.role)
    user = rows[0]
    return Actor(
        id=user.id,
        name=user.name,
        roles=frozenset(global_roles),
        program_roles={k: frozenset(v) for k, v in per_program.items()},
        lang=user.language,
    )
