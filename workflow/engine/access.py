"""Who may act on this application: staff roles from the actor, relationship roles from the rows."""

from __future__ import annotations

from sqlalchemy import select

from workflow.engine.actors import Actor
from workflow.engine.records import ApplicationRow
from workflow.models import ApplicationMember, ReviewAssignment
from workflow.vocabulary.roles import STAFF_HELD_BY, roles_that

READ_ALL = frozenset(roles_that("read_all"))


def effective_roles(
    connection, program, application: ApplicationRow, actor: Actor, wanted: set[str]
) -> set[str]:
    """The roles among `wanted` that this actor holds on this application (queries only if needed);
    `program` (compiled) knows its own roles besides the built-in ones."""
    if actor.is_system:
        return {"system"} & wanted
    kinds = program.role_kinds
    staff = actor.staff_roles(program.key)
    held = {r for r in staff if r in kinds and kinds[r].held_by in STAFF_HELD_BY}
    held &= wanted
    if "applicant" in wanted and application.applicant_id == actor.id:
        held.add("applicant")
    member_roles = {r for r in wanted if r in kinds and kinds[r].held_by == "member"}
    if member_roles:
        held |= set(
            connection.execute(
                select(ApplicationMember.relation).where(
                    ApplicationMember.application_id == application.id,
                    ApplicationMember.user_id == actor.id,
                    ApplicationMember.relation.in_(member_roles),
                )
            ).scalars()
        )
    if "reviewer" in wanted and reviewer_status(connection, application.id, actor.id) == "none":
        held.add("reviewer")
    return held


def reviewer_status(connection, application_id: int, user_id: int | None) -> str | None:
    """None if not assigned; else the conflict declaration of the latest round they were assigned in:
    'pending', 'none' or 'conflict'."""
    if user_id is None:
        return None
    return connection.execute(
        select(ReviewAssignment.coi)
        .where(ReviewAssignment.application_id == application_id, ReviewAssignment.reviewer_id == user_id)
        .order_by(ReviewAssignment.round.desc())
        .limit(1)
    ).scalar()


def can_see(connection, program, application: ApplicationRow, actor: Actor) -> bool:
    """Object check for reading, per state: the state's `view` roles (default: every role of the program),
    held as staff or by relationship. Auditors and administrators read everything; the system too."""
    if actor.is_system or actor.roles & READ_ALL:
        return True
    allowed = program.spec.states[application.state].view or program.spec.roles
    if "applicant" in allowed and application.applicant_id == actor.id:
        return True  # the applicant's own application: no relationship to look up
    return bool(effective_roles(connection, program, application, actor, set(allowed)))
