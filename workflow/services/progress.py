"""Where an application is in its whole process: the steps of the main path, and the next deadline.

The main path is derived from the rule file's graph: the shortest way from the initial state to the
current one, then on to the final state farthest from the start (the one reached by going all the way,
not by an early exit such as withdrawing); from a state off that path, to the nearest final state.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from workflow.models import Timer

SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True)
class Step:
    number: int  # 1 for the first step
    label: str
    status: str  # "done" | "current" | "upcoming"


def _graph(program) -> dict[str, list[str]]:
    graph: dict[str, list[str]] = {name: [] for name in program.spec.states}
    for transition in program.transitions:
        for source in transition.sources:
            if transition.spec.to not in graph[source]:
                graph[source].append(transition.spec.to)
    return graph


def _paths_from(graph: dict, start: str) -> dict[str, list[str]]:
    """Shortest path (as a list of states, start included) to every reachable state."""
    paths, queue = {start: [start]}, deque([start])
    while queue:
        here = queue.popleft()
        for nxt in graph[here]:
            if nxt not in paths:
                paths[nxt] = [*paths[here], nxt]
                queue.append(nxt)
    return paths


def main_path(program, current: str) -> list[str]:
    graph = _graph(program)
    from_start = _paths_from(graph, program.initial)
    finals = [name for name in program.spec.states if name in program.finals and name in from_start]
    goal = max(finals, key=lambda name: len(from_start[name]))  # first in file order on a tie
    before = from_start.get(current, [current])
    if current in program.finals:
        return before
    onwards = _paths_from(graph, current)
    if goal not in onwards:
        reachable = [name for name in finals if name in onwards]
        goal = min(reachable, key=lambda name: len(onwards[name])) if reachable else current
    return before + onwards.get(goal, [current])[1:]


def steps(program, current: str, lang: str, audience: str = "applicant") -> list[Step]:
    """The main path as labelled steps; neighbouring states with the same label are one step. Pages keep
    what they render of it per program version (workflow/web/status_parts.py), so it is not kept here."""
    result: list[tuple[str, str]] = []  # (label, status)
    seen_current = False
    for state in main_path(program, current):
        label = program.state_label(state, lang, audience)
        status = "current" if state == current else ("upcoming" if seen_current else "done")
        seen_current = seen_current or state == current
        if result and result[-1][0] == label:
            if status == "current" or result[-1][1] == "current":
                result[-1] = (label, "current")
            continue
        result.append((label, status))
    return [Step(number, label, status) for number, (label, status) in enumerate(result, 1)]


def days_left(due_at: datetime, now: datetime) -> int:
    """Calendar days from today to the deadline's day, both in Seoul (0: today, negative: overdue)."""
    return (due_at.astimezone(SEOUL).date() - now.astimezone(SEOUL).date()).days


def next_deadlines(connection, application_ids: list[int]) -> dict[int, datetime]:
    """The earliest pending deadline of each application (its open timer), by application id."""
    if not application_ids:
        return {}
    rows = connection.execute(
        select(Timer.application_id, func.min(Timer.due_at))
        .where(
            Timer.application_id.in_(application_ids),
            Timer.status == "pending",
            Timer.kind == "deadline",
        )
        .group_by(Timer.application_id)
    )
    return {application_id: due for application_id, due in rows}
