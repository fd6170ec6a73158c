"""Graph checks of a rule file: reachability, dead ends, and a way to finish."""

from __future__ import annotations

from collections import deque

from workflow.definitions.capacity_checks import promoted_by_capacity
from workflow.definitions.raw import as_list


def edges(states: dict, transitions: list[dict]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in states}
    for transition in transitions:
        for source in as_list(transition.get("from")):
            if source in graph and transition.get("to") in states:
                graph[source].add(transition["to"])
    return graph


def reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in graph.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def check_graph(checker) -> None:
    """Unreachable states, non-final dead ends, and no path to any final state, reported on `checker`."""
    states = {name: spec if isinstance(spec, dict) else {} for name, spec in checker.states.items()}
    initial = [name for name, spec in states.items() if spec.get("initial")]
    if not initial:
        return
    graph = edges(states, checker.transitions)
    reachable = reach(graph, initial[0])
    for name, spec in states.items():
        if name not in reachable:
            checker.add(
                ("states", name),
                f"state '{name}' is unreachable from '{initial[0]}'",
                "add a transition into it, or remove it",
                key=True,
            )
        if not spec.get("final") and not graph.get(name):
            checker.add(
                ("states", name),
                f"state '{name}' has no way out and is not final",
                "add a transition from it, or mark it final: true",
                key=True,
            )
    finals = {name for name, spec in states.items() if spec.get("final")}
    if not finals & reachable:
        checker.add(
            ("states",),
            f"no path from '{initial[0]}' to any final state",
            "mark the end states final: true and connect them",
            key=True,
        )


def check_automatic_cycles(checker) -> None:
    """Unguarded automatic transitions that lead back to where they started would never stop."""
    # steps waiting for an event (`on_event:`) are taken once per event, so they cannot loop by themselves
    automatic = [
        t for t in checker.transitions if t.get("auto") and not t.get("guard") and not t.get("on_event")
    ]
    graph = edges(checker.states, automatic)
    for index, transition in enumerate(checker.transitions):
        if transition in automatic and any(
            source in reach(graph, transition.get("to")) for source in as_list(transition.get("from"))
        ):
            checker.add(
                ("transitions", index, "auto"),
                "unguarded automatic transitions form a cycle",
                "give one of them a guard, or make one manual",
            )
            return


def check_unfireable(checker) -> None:
    """A transition only `system` may fire must be automatic or fired by a deadline of a state it leaves."""
    for index, transition in enumerate(checker.transitions):
        roles = as_list(transition.get("roles"))
        if roles != ["system"] or transition.get("auto") or transition.get("on_event"):
            continue
        trigger = transition.get("trigger")
        sources = as_list(transition.get("from"))
        fired_by_deadline = any(
            ((checker.states.get(source) or {}).get("deadline") or {}).get("on_expiry", {}).get("fire")
            == trigger
            for source in sources
            if isinstance(checker.states.get(source), dict)
        )
        if not fired_by_deadline and not promoted_by_capacity(checker, trigger, sources):
            checker.add(
                ("transitions", index, "roles"),
                f"transition '{trigger}' can never fire: only system may fire it, it is not automatic, "
                f"and no deadline of {', '.join(repr(s) for s in sources)} fires it",
                f"add auto: true (with a guard), a deadline with on_expiry: {{fire: {trigger}}} on its "
                "from state, or a role that may fire it",
            )
