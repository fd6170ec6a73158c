"""Who is acting: a user with global and per-program roles, or the system (timers, automatic steps)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

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


def load_actor(connection, user_id: int) -> Actor | None:
    user = connection.execute(select(User.id, User.name, User.language).where(User.id == user_id)).first()
    if user is None:
        return None
    global_roles: set[str] = set()
    per_program: dict[str, set[str]] = {}
    rows = connection.execute(select(UserRole.role, UserRole.program_key).where(UserRole.user_id == user_id))
    for role, program_key in rows:
        if program_key is None:
            global_roles.add(role)
        else:
            per_program.setdefault(program_key, set()).add(role)
    return Actor(
        id=user.id,
        name=user.name,
        roles=frozenset(global_roles),
        program_roles={k: frozenset(v) for k, v in per_program.items()},
        lang=user.language,
    )
