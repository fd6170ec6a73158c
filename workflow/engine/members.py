"""Relationship roles on one application (e.g. a university as co-applicant beside a company).

Adding a member changes who may act on the application, so it is recorded in the history like a move
(the state stays as it is).
"""

from __future__ import annotations

from sqlalchemy import insert, select

from workflow.engine.actors import Actor
from workflow.engine.results import FireResult, Refused
from workflow.engine.transaction import Move, Transaction
from workflow.models import ApplicationMember, User
from workflow.vocabulary.messages import Message
from workflow.vocabulary.roles import roles_that

MANAGERS = frozenset(roles_that("manage"))


def members_of(connection, application_id: int) -> list[dict]:
    """The users linked to an application, with their relation, in the order they were added."""
    rows = connection.execute(
        select(User.id, User.name, User.organisation, User.email, ApplicationMember.relation)
        .join(ApplicationMember, ApplicationMember.user_id == User.id)
        .where(ApplicationMember.application_id == application_id)
        .order_by(ApplicationMember.id)
    )
    return [dict(r._mapping) for r in rows]


def add_member(
    workflow, application_id: int, actor: Actor, email: str, relation: str = "co_applicant"
) -> FireResult:
    """The owner (or program staff) links another user to the application in a relationship role."""

    def work(tx: Transaction) -> Move | FireResult:
        connection = tx.connection
        current, program = tx.load(application_id, for_update=True)
        kind = program.role_kinds.get(relation)
        if relation not in program.spec.roles or kind is None or kind.held_by != "member":
            raise Refused(Message("unknown_role", {"role": relation}))
        is_owner = current.applicant_id == actor.id
        if not is_owner and not actor.staff_roles(program.key) & MANAGERS:
            raise Refused(Message("not_your_application"))
        user_id = connection.execute(select(User.id).where(User.email == email.strip().lower())).scalar()
        if user_id is None or user_id == current.applicant_id:
            raise Refused(Message("unknown_user", {"email": email}))
        exists = connection.execute(
            select(ApplicationMember.id).where(
                ApplicationMember.application_id == application_id,
                ApplicationMember.user_id == user_id,
                ApplicationMember.relation == relation,
            )
        ).scalar()
        if exists is not None:
            return FireResult(ok=True, application_id=application_id, state=current.state)
        connection.execute(
            insert(ApplicationMember).values(
                application_id=application_id, user_id=user_id, relation=relation
            )
        )
        roles = {"applicant"} if is_owner else actor.staff_roles(program.key) & MANAGERS
        detail = {"kind": "member_added", "user_id": user_id, "relation": relation}
        return tx.record(current, program, f"add_{relation}", actor, roles, email.strip().lower(), detail)

    return workflow.transaction(work, application_id)
