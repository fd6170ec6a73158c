"""When a due tranche can actually be paid: in a step that a paying transition (one with the
`pay_tranche` effect) leaves. Before that — e.g. before the agreement is signed — a tranche the award made
due at once is shown as waiting for the step that leads there, derived from the rule file's graph, so no
page names a program's states or fields."""

from __future__ import annotations

PAYING_EFFECT = "pay_tranche"


def _pays(transition) -> bool:
    return any(kind.name == PAYING_EFFECT for kind, _params in transition.effects)


def paying_states(program) -> set[str]:
    return {state for state in program.spec.states if any(_pays(t) for t in program.leaving(state))}


def payment_wait(program, state: str | None) -> list[dict] | None:
    """None when due tranches can be paid in `state`; else the labels ({ko, en}) of the steps leaving
    `state` that lead to a step where they can (empty when none does directly)."""
    if state is None or state not in program.spec.states:
        return None
    payable_in = paying_states(program)
    if state in payable_in or not payable_in:
        return None
    steps: list[str] = []
    for transition in program.leaving(state):
        if transition.spec.to in payable_in and transition.trigger not in steps:
            steps.append(transition.trigger)
    return [program.trigger_label(trigger) for trigger in steps]
