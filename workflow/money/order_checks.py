"""What money effects can never do in a rule file's graph, refused at load with the effect's line.

The order within a transition (rules/README.md): the move, then the tranches its trigger releases, then
the effects in file order. So a tranche released by the very step that makes its award is never
released, a tranche waiting for a step that cannot come after the award is never paid, and a payment or
recovery in a step no award comes before can never find money.
"""

from __future__ import annotations

from workflow.definitions.graph import edges, reach


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _effects(transition: dict) -> list[tuple[int, str, dict]]:
    found = []
    for index, effect in enumerate(_as_list(transition.get("effects"))):
        if isinstance(effect, dict) and len(effect) == 1:
            ((name, params),) = effect.items()
            found.append((index, name, params if isinstance(params, dict) else {}))
    return found


def check_money_order(checker) -> None:
    states = {name: spec if isinstance(spec, dict) else {} for name, spec in checker.states.items()}
    graph = edges(states, checker.transitions)
    awards = []  # (transition index, trigger, states reachable after it)
    for t_index, transition in enumerate(checker.transitions):
        if any(name == "award" for _, name, _ in _effects(transition)) and transition.get("to") in states:
            awards.append((t_index, transition.get("trigger"), reach(graph, transition["to"])))
    if not any(
        name in ("award", "pay_tranche", "recover") for t in checker.transitions for _, name, _ in _effects(t)
    ):
        return
    for t_index, transition in enumerate(checker.transitions):
        for e_index, name, params in _effects(transition):
            path = ("transitions", t_index, "effects", e_index, name)
            if name == "award":
                _check_releases(checker, path, transition, params, awards, t_index)
            elif name in ("pay_tranche", "recover"):
                _check_after_award(checker, path, name, transition, e_index, awards)


def _check_releases(checker, path, transition, params, awards, t_index) -> None:
    after = next(reachable for index, _trigger, reachable in awards if index == t_index)
    for number, tranche in enumerate(_as_list(params.get("tranches")), start=1):
        release_on = tranche.get("release_on") if isinstance(tranche, dict) else None
        if not isinstance(release_on, str):
            continue
        where = (*path, "tranches", number - 1, "release_on")
        if release_on == transition.get("trigger"):
            checker.add(
                where,
                f"tranche {number} is released by '{release_on}', the step that makes the award: "
                "releases come before the effects, so it would never be released",
                "remove release_on (the tranche is due at once), or name a later step",
            )
            continue
        later = [
            t
            for t in checker.transitions
            if t.get("trigger") == release_on and set(_as_list(t.get("from"))) & after
        ]
        if not later and any(t.get("trigger") == release_on for t in checker.transitions):
            checker.add(
                where,
                f"tranche {number} waits for '{release_on}', which can never happen after "
                f"'{transition.get('trigger')}' makes the award",
                "name a step that comes after the award",
            )


def _check_after_award(checker, path, name, transition, e_index, awards) -> None:
    awarded_here = any(other == "award" and index < e_index for index, other, _ in _effects(transition))
    sources = set(_as_list(transition.get("from")))
    if awarded_here or any(sources & reachable for _i, _t, reachable in awards):
        return
    made_by = ", ".join(f"'{trigger}'" for _i, trigger, _r in awards) or "no step"
    what = "pay" if name == "pay_tranche" else "recover"
    checker.add(
        path,
        f"'{transition.get('trigger')}' can never {what} anything: no award is made before it "
        f"(awards are made by {made_by})",
        "move the effect to a step after the award, or put the award effect before it in this step",
        key=True,
    )
