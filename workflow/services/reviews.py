"""Review assignments: a conflict declaration gates access; submitted scores are locked.

After a review is submitted the engine is asked for automatic steps (e.g. all reviews in).
"""

from __future__ import annotations

from sqlalchemy import insert, select, update

from workflow.actors import Actor
from workflow.engine import FireResult, Refused
from workflow.messages import Message
from workflow.models import ReviewAssignment

COI_CHOICES = ("none", "exclusion", "recusal")


def assign(workflow, application_id: int, reviewer_id: int, officer: Actor) -> FireResult:
    def work(connection):
        application, program = workflow.load(connection, application_id)
        if not officer.staff_roles(program.key) & {"officer", "lead_officer", "admin"}:
            raise Refused(Message("not_your_application"))
        exists = connection.execute(
            select(ReviewAssignment.id).where(
                ReviewAssignment.application_id == application_id, ReviewAssignment.reviewer_id == reviewer_id
            )
        ).scalar()
        if exists is None:
            connection.execute(
                insert(ReviewAssignment).values(
                    application_id=application_id,
                    reviewer_id=reviewer_id,
                    coi="pending",
                    assigned_at=workflow.clock(),
                )
            )
        return FireResult(ok=True, application_id=application_id)

    return workflow._run(work, application_id)


def declare(
    workflow, application_id: int, reviewer: Actor, declaration: str, reason: str | None = None
) -> FireResult:
    """'none' opens the application to the reviewer; 'exclusion' or 'recusal' removes the assignment."""

    def work(connection):
        if declaration not in COI_CHOICES:
            raise Refused(Message("invalid_data", {"detail": declaration}))
        if declaration != "none" and not (reason or "").strip():
            raise Refused(Message("reason_required"))
        changed = connection.execute(
            update(ReviewAssignment)
            .where(
                ReviewAssignment.application_id == application_id,
                ReviewAssignment.reviewer_id == reviewer.id,
                ReviewAssignment.coi == "pending",
            )
            .values(
                coi="none" if declaration == "none" else "conflict",
                coi_reason=None if declaration == "none" else f"{declaration}: {reason.strip()}",
            )
        )
        if changed.rowcount != 1:
            raise Refused(Message("not_your_application"))
        return FireResult(ok=True, application_id=application_id)

    return workflow._run(work, application_id)


def submit(
    workflow, application_id: int, reviewer: Actor, scores: dict[str, int], comment: str = ""
) -> FireResult:
    """Record a conflict-free reviewer's scores on the rubric (each 0..max), once; then automatic steps."""

    def work(connection):
        application, program = workflow.load(connection, application_id)
        if program.spec.review is None or not program.spec.states[application["state"]].review:
            raise Refused(Message("not_from_state", {"trigger": "review", "state": application["state"]}))
        errors = {}
        for item in program.spec.review.rubric:
            value = scores.get(item.name)
            if isinstance(value, bool) or not isinstance(value, int):
                errors[item.name] = Message("not_integer")
            elif not 0 <= value <= item.max:
                errors[item.name] = Message(
                    "above_max" if value > item.max else "below_min", {"max": item.max, "min": 0}
                )
        if errors:
            raise Refused(Message("invalid_data", {"detail": ", ".join(errors)}), errors)
        clean = {item.name: scores[item.name] for item in program.spec.review.rubric}
        locked = connection.execute(
            update(ReviewAssignment)
            .where(
                ReviewAssignment.application_id == application_id,
                ReviewAssignment.reviewer_id == reviewer.id,
                ReviewAssignment.coi == "none",
                ReviewAssignment.submitted_at.is_(None),
            )
            .values(
                scores=clean,
                total=sum(clean.values()),
                comment=comment or None,
                submitted_at=workflow.clock(),
            )
        )
        if locked.rowcount != 1:
            raise Refused(Message("conflict_not_declared"))
        return FireResult(ok=True, application_id=application_id)

    result = workflow._run(work, application_id)
    if result.ok:
        automatic = workflow.run_automatic(application_id)
        result.automatic, result.state = automatic.automatic, automatic.state
    return result
