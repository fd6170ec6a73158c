"""The values a guard or effect expression may read; reviews and registered sources (e.g. money) are
queried only when an expression uses them."""

from __future__ import annotations

from datetime import datetime

from workflow.definitions.dates import SEOUL
from workflow.engine.records import ApplicationRow
from workflow.engine.review_rounds import reviews_summary
from workflow.vocabulary.effects import expressions_of
from workflow.vocabulary.guards import CONTEXT_SOURCES


def expression_context(
    connection,
    application: ApplicationRow,
    data: dict,
    actor,
    held_roles,
    transitions,
    now,
    review_kinds=(),
    program=None,
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
            "today": seoul_today(now),
        },
    }
    if "reviews" in needs:
        context["reviews"] = reviews_summary(connection, application.id, review_kinds)
    for name in needs & CONTEXT_SOURCES.keys():
        source = CONTEXT_SOURCES[name]
        if source.reads_expressions:
            context[name] = source.load(connection, application, _sources(transitions))
        elif source.reads_program:
            context[name] = source.load(connection, application, program)
        else:
            context[name] = source.load(connection, application)
    return context


def seoul_today(now: datetime) -> str:
    """The workflow clock's calendar day in Asia/Seoul, "YYYY-MM-DD": a date field's stored form, so a guard
    compares them as text (`data.completed_on <= application.today`)."""
    return now.astimezone(SEOUL).date().isoformat()


def _sources(transitions) -> list[str]:
    """The guard and effect expressions of the transitions being evaluated."""
    found = []
    for transition in transitions:
        if transition.guard is not None:
            found.append(transition.guard.source)
        for kind, params in transition.effects:
            found.extend(expressions_of(kind.name, params))
    return found
