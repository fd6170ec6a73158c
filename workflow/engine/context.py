"""The values a guard or effect expression may read; reviews and registered sources (e.g. money) are
queried only when an expression uses them."""

from __future__ import annotations

from sqlalchemy import func, select

from workflow.engine.records import ApplicationRow
from workflow.models import ReviewAssignment
from workflow.vocabulary.effects import expressions_of
from workflow.vocabulary.guards import CONTEXT_SOURCES


def reviews_summary(connection, application_id: int) -> dict:
    row = connection.execute(
        select(
            func.count(ReviewAssignment.id),
            func.count(ReviewAssignment.submitted_at),
            func.avg(ReviewAssignment.total),
            func.min(ReviewAssignment.total),
            func.max(ReviewAssignment.total),
        ).where(ReviewAssignment.application_id == application_id, ReviewAssignment.coi != "conflict")
    ).one()
    assigned, submitted, mean, low, high = row
    return {
        "assigned": int(assigned),
        "count": int(submitted),
        "all_submitted": assigned > 0 and submitted == assigned,
        "mean": float(mean) if mean is not None else 0.0,
        "min": int(low) if low is not None else 0,
        "max": int(high) if high is not None else 0,
    }


def expression_context(
    connection, application: ApplicationRow, data: dict, actor, held_roles, transitions, now
) -> dict:
    needs = set()
    for transition in transitions:
        needs |= transition.needs
    context = {
        "data": data,
        "actor": {"id": actor.id or 0, "roles": sorted(held_roles)},
        "application": {
            "state": application.state,
            "days_in_state": (now - application.state_entered_at).days,
        },
    }
    if "reviews" in needs:
        context["reviews"] = reviews_summary(connection, application.id)
    for name in needs & CONTEXT_SOURCES.keys():
        source = CONTEXT_SOURCES[name]
        if source.reads_expressions:
            context[name] = source.load(connection, application, _sources(transitions))
        else:
            context[name] = source.load(connection, application)
    return context


def _sources(transitions) -> list[str]:
    """The guard and effect expressions of the transitions being evaluated."""
    found = []
    for transition in transitions:
        if transition.guard is not None:
            found.append(transition.guard.source)
        for kind, params in transition.effects:
            found.extend(expressions_of(kind.name, params))
    return found
