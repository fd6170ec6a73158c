"""Administration: users and their role assignments, and the list of rule definitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, insert, or_, select, update

from workflow.audit.staff import append_staff_event
from workflow.db import utcnow
from workflow.models import Application, DefinitionSnapshot, User, UserRole
from workflow.services.accounts import end_sessions
from workflow.vocabulary.roles import ROLES, STAFF_HELD_BY, RoleKind

ASSIGNABLE = tuple(
    sorted(name for name, kind in ROLES.items() if kind.held_by in STAFF_HELD_BY) + ["reviewer"]
)


USER_COLUMNS = (
    User.id,
    User.email,
    User.name,
    User.organisation,
    User.language,
    User.active,
    User.last_signin_at,
    User.invited_at,
    User.password_hash.is_(None).label("no_password"),
)


class AdminError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def list_users(connection, q: str = "", limit: int = 200) -> list[dict]:
    query = select(*USER_COLUMNS)
    q = (q or "").strip().lower()
    if q:
        query = query.where(or_(func.lower(User.email).like(f"%{q}%"), func.lower(User.name).like(f"%{q}%")))
    users = [dict(r._mapping) for r in connection.execute(query.order_by(User.id).limit(limit))]
    roles: dict[int, list] = {}
    ids = [u["id"] for u in users]
    if ids:
        for user_id, role, program_key in connection.execute(
            select(UserRole.user_id, UserRole.role, UserRole.program_key).where(UserRole.user_id.in_(ids))
        ):
            roles.setdefault(user_id, []).append((role, program_key))
    for user in users:
        user["roles"] = sorted(roles.get(user["id"], []), key=lambda r: (r[0], r[1] or ""))
    return users


def get_user(connection, user_id: int) -> dict | None:
    row = connection.execute(select(*USER_COLUMNS).where(User.id == user_id)).first()
    if row is None:
        return None
    user = dict(row._mapping)
    user["roles"] = [
        dict(r._mapping)
        for r in connection.execute(
            select(UserRole.id, UserRole.role, UserRole.program_key)
            .where(UserRole.user_id == user_id)
            .order_by(UserRole.role, UserRole.program_key)
        )
    ]
    return user


def grantable_roles(programs) -> dict[str, RoleKind]:
    """The built-in roles an administrator gives, and the programs' own staff- and reviewer-like roles."""
    roles = {name: ROLES[name] for name in ASSIGNABLE}
    for program in programs.values():
        for name, kind in program.role_kinds.items():
            if kind.like and kind.held_by in STAFF_HELD_BY:
                roles.setdefault(name, kind)
    return roles


def person(connection, user_id: int | None) -> tuple[int | None, str]:
    if user_id is None:
        return None, "system"
    name = connection.execute(select(User.name).where(User.id == user_id)).scalar()
    return user_id, name or f"#{user_id}"


def check_role(role: str, program_key: str | None, programs) -> None:
    """Refuse (AdminError) a role that cannot be given this way: unknown, a global role for one program,
    a program's own role for a program that does not declare it."""
    if program_key and program_key not in programs:
        raise AdminError("unknown_program")
    if role not in ASSIGNABLE:
        if role not in grantable_roles(programs):
            raise AdminError("unknown_role")
        kind = programs[program_key].role_kinds.get(role) if program_key else None
        if kind is None or kind.held_by not in STAFF_HELD_BY:
            raise AdminError("program_role")
    elif ROLES[role].held_by == "global" and program_key:
        raise AdminError("global_role")


def grant_role(
    db, user_id: int, role: str, program_key: str | None, programs, acting_user_id: int | None = None
) -> None:
    """Give a role globally (program_key None) or for one program (`programs`: key → compiled); idempotent;
    recorded in the staff chain. A program's own role (`custom_roles:`) is given for a program that
    declares it."""
    check_role(role, program_key, programs)
    with db.begin() as connection:
        if connection.execute(select(User.id).where(User.id == user_id)).scalar() is None:
            raise AdminError("unknown_user")
        exists = connection.execute(
            select(UserRole.id).where(
                UserRole.user_id == user_id,
                UserRole.role == role,
                UserRole.program_key.is_(None)
                if program_key is None
                else UserRole.program_key == program_key,
            )
        ).scalar()
        if exists is None:
            connection.execute(insert(UserRole).values(user_id=user_id, role=role, program_key=program_key))
            actor = person(connection, acting_user_id)
            append_staff_event(
                connection, "grant", person(connection, user_id), *actor, utcnow(), role, program_key
            )


def revoke_role(db, user_id: int, assignment_id: int, acting_user_id: int) -> None:
    with db.begin() as connection:
        row = connection.execute(
            select(UserRole.role, UserRole.program_key).where(
                UserRole.id == assignment_id, UserRole.user_id == user_id
            )
        ).first()
        if row is None:
            raise AdminError("unknown_assignment")
        if user_id == acting_user_id and row.role == "admin" and row.program_key is None:
            raise AdminError("own_admin")
        connection.execute(delete(UserRole).where(UserRole.id == assignment_id))
        actor = person(connection, acting_user_id)
        append_staff_event(
            connection, "revoke", person(connection, user_id), *actor, utcnow(), row.role, row.program_key
        )


def set_active(db, user_id: int, active: bool, acting_user_id: int) -> None:
    if user_id == acting_user_id and not active:
        raise AdminError("own_admin")
    with db.begin() as connection:
        was = connection.execute(select(User.active).where(User.id == user_id)).scalar()
        if was is None or was == active:
            return
        # switching an account off also ends an open invitation (its links stop working)
        values = {"active": active} if active else {"active": False, "invited_at": None}
        connection.execute(update(User).where(User.id == user_id).values(**values))
        actor = person(connection, acting_user_id)
        action = "activate" if active else "deactivate"
        append_staff_event(connection, action, person(connection, user_id), *actor, utcnow())
        if not active:
            end_sessions(connection, user_id)  # signed out everywhere, now


@dataclass
class DefinitionRow:
    key: str
    file: str
    version: str
    status: str  # "current" | "refused" | "stored"
    title: object = None
    problems: list = field(default_factory=list)
    applications: int = 0
    sha256: str = ""


def definitions(connection, registry) -> list[DefinitionRow]:
    """Each rule file (loaded or refused with its problems) and every stored snapshot with its use."""
    used = dict(
        connection.execute(
            select(Application.definition_sha, func.count()).group_by(Application.definition_sha)
        ).all()
    )
    rows, seen = [], set()
    for result in registry.results:
        program = result.program
        rows.append(
            DefinitionRow(
                key=program.key if program else Path(result.file).stem,
                file=Path(result.file).name,
                version=program.version if program else "—",
                status="current" if result.ok else "refused",
                title=program.spec.title if program else None,
                problems=[str(p) for p in result.problems],
                applications=used.get(result.sha256, 0),
                sha256=result.sha256 if program else "",
            )
        )
        seen.add(result.sha256)
    for snapshot in connection.execute(
        select(
            DefinitionSnapshot.sha256,
            DefinitionSnapshot.program_key,
            DefinitionSnapshot.version,
            DefinitionSnapshot.file_name,
        ).order_by(DefinitionSnapshot.program_key, DefinitionSnapshot.stored_at)
    ):
        if snapshot.sha256 in seen:
            continue
        rows.append(
            DefinitionRow(
                key=snapshot.program_key,
                file=Path(snapshot.file_name).name,
                version=snapshot.version,
                status="stored",
                applications=used.get(snapshot.sha256, 0),
                sha256=snapshot.sha256,
            )
        )
    return rows
