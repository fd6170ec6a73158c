"""Checks of `capacity:`: its states exist, and `promote` moves the first one waiting into a place."""

from __future__ import annotations

from workflow.definitions.raw import as_list, mapping


def promoted_by_capacity(checker, trigger, sources) -> bool:
    """True if `trigger` is the program's `capacity.promote` and leaves its waiting state (the engine fires it)."""
    capacity = mapping(checker.raw.get("capacity"))
    return trigger == capacity.get("promote") and capacity.get("waiting") in sources


def check_capacity(checker) -> None:
    capacity = mapping(checker.raw.get("capacity"))
    if not capacity:
        return
    holding = [s for s in as_list(capacity.get("holding")) if isinstance(s, str)]
    for index, state in enumerate(holding):
        checker.state_ref(("capacity", "holding", index), state)
    waiting = capacity.get("waiting")
    if (
        isinstance(waiting, str)
        and checker.state_ref(("capacity", "waiting"), waiting)
        and waiting in holding
    ):
        checker.add(
            ("capacity", "waiting"),
            f"'{waiting}' cannot both wait and hold a place",
            "remove it from holding:",
        )
    promote = capacity.get("promote")
    if not isinstance(promote, str):
        return
    moves = [
        t for t in checker.transitions if t.get("trigger") == promote and waiting in as_list(t.get("from"))
    ]
    if not moves:
        checker.add(
            ("capacity", "promote"),
            f"no transition '{promote}' leaves the waiting state '{waiting}'",
            f"add {{trigger: {promote}, from: {waiting}, to: <a holding state>, roles: [system]}}",
        )
    for transition in moves:
        if "system" not in as_list(transition.get("roles")):
            checker.add(
                ("capacity", "promote"),
                f"transition '{promote}' is fired by the system when a place is freed",
                "add system to its roles",
            )
        if transition.get("to") not in holding:
            checker.add(
                ("capacity", "promote"),
                f"transition '{promote}' must move into a holding state ({', '.join(holding)})",
                "promotion gives the freed place to the first one waiting",
            )
