"""Checks of what a program declares about itself: its own roles, review assignment states and the
fields pages show (`custom_roles:`, `review.assign_in:`, `key_fields:`)."""

from __future__ import annotations

import re
from collections.abc import Callable

from workflow.definitions.wording import suggest
from workflow.vocabulary.roles import ROLES

# checks a package adds (money's: what its effects can never do in this file's graph); each gets the Checker
PROGRAM_CHECKS: list[Callable] = []


def register_program_check(check: Callable) -> Callable:
    if check not in PROGRAM_CHECKS:
        PROGRAM_CHECKS.append(check)
    return check


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _as_list(value) -> list:
    return value if isinstance(value, list) else []


def check_custom_roles(checker) -> None:
    for name in _mapping(checker.raw.get("custom_roles")):
        if name in ROLES:
            checker.add(
                ("custom_roles", name),
                f"'{name}' is a built-in role",
                "give the program's own role another name",
                key=True,
            )
        elif name not in checker.declared_roles:
            checker.add(
                ("custom_roles", name), f"role '{name}' is not in roles:", "add it to roles:", key=True
            )


KIND_INDEX = re.compile(r"\bby_kind\s*\[\s*[\"']([^\"']*)[\"']\s*\]")


def check_review(checker) -> None:
    review = _mapping(checker.raw.get("review"))
    assign_in = review.get("assign_in")
    for index, state in enumerate(assign_in if isinstance(assign_in, list) else []):
        checker.state_ref(("review", "assign_in", index), state)
    kinds = list(_mapping(review.get("kinds")))
    for index, transition in enumerate(checker.transitions):
        trigger = transition.get("trigger", index)
        if transition.get("new_review_round") and not review:
            checker.add(
                ("transitions", index, "new_review_round"),
                f"transition '{trigger}' begins a review round, but the program has no review:",
                "add a review: section, or remove new_review_round",
            )
        guard = transition.get("guard")
        for kind in KIND_INDEX.findall(guard if isinstance(guard, str) else ""):
            if kind not in kinds:
                checker.add(
                    ("transitions", index, "guard"),
                    f"the guard counts reviewer kind '{kind}', which review.kinds does not declare",
                    suggest(kind, kinds) or "declare it under review: kinds:",
                )


def check_key_fields(checker) -> None:

    types = {_mapping(spec).get("name"): _mapping(spec).get("type") for _, spec in checker.field_specs()}
    wanted: dict[str, tuple[str, ...]] = {
        "title": (),
        "amount": ("money", "integer"),
        "organisation": (),
        "representative": (),
        "participants": (),
        "bank": (),
        "bank_account": (),
    }
    for role, value in _mapping(checker.raw.get("key_fields")).items():
        if role not in wanted or not isinstance(value, str):
            continue  # the schema reports those
        if value not in types:
            checker.add(
                ("key_fields", role),
                f"key_fields.{role} names unknown field '{value}'",
                suggest(value, [t for t in types if isinstance(t, str)]) or "name a field of a stage",
            )
        elif wanted[role] and types[value] not in wanted[role]:
            checker.add(
                ("key_fields", role),
                f"key_fields.{role} is a {types[value]} field",
                f"name a field of type {' or '.join(wanted[role])}",
            )


def check_events(checker) -> None:
    """`on_event:` names registered events; only such a step's guard may read `event`."""
    from workflow.engine.events import EVENTS

    for index, transition in enumerate(checker.transitions):
        trigger = transition.get("trigger", index)
        events = transition.get("on_event")
        names = events if isinstance(events, list) else [events] if events else []
        for position, name in enumerate(names):
            if name not in EVENTS:
                path = ("transitions", index, "on_event") + ((position,) if isinstance(events, list) else ())
                checker.add(
                    path,
                    f"unknown event '{name}'",
                    suggest(name, EVENTS) or f"known events: {', '.join(sorted(EVENTS))}",
                )
        guard = transition.get("guard")
        if not names and isinstance(guard, str) and EVENT_NAME.search(guard):
            checker.add(
                ("transitions", index, "guard"),
                f"the guard of '{trigger}' reads event, but the step waits for no event",
                "add on_event: (e.g. on_event: linked_state_reached), or read data/reviews instead",
            )


EVENT_NAME = re.compile(r"(?<![\w.])event\s*\.")


def check_sign_off(checker) -> None:
    """A sign-off's roles fire the transition; an automatic step or one with its own fields cannot have one."""
    for index, transition in enumerate(checker.transitions):
        steps = transition.get("sign_off")
        if not isinstance(steps, list) or not steps:
            continue
        trigger = transition.get("trigger", index)
        roles = transition.get("roles") if isinstance(transition.get("roles"), list) else []
        for position, step in enumerate(steps):
            role = step.get("role") if isinstance(step, dict) else None
            if isinstance(role, str) and role not in roles:
                checker.add(
                    ("transitions", index, "sign_off", position, "role"),
                    f"sign_off of '{trigger}' asks role '{role}', which may not fire it",
                    f"add {role} to the transition's roles:",
                )
        if transition.get("auto") or transition.get("on_event") or roles == ["system"]:
            checker.add(
                ("transitions", index, "sign_off"),
                f"'{trigger}' is taken by the system, so nobody can approve it",
                "give the sign-off to a transition people fire",
            )
        if transition.get("fields"):
            checker.add(
                ("transitions", index, "sign_off"),
                f"'{trigger}' asks for fields and a sign-off: each approver would enter different values",
                "collect the values in a stage before the sign-off",
            )


NUMBER_TYPES = ("money", "integer")


def check_totals(checker) -> None:
    """Each stage total adds number fields of its own stage; each share names one and sets a limit."""

    for stage_name, stage in checker.stages.items():
        fields = stage.get("fields") if isinstance(stage, dict) else None
        types = {
            spec.get("name"): spec.get("type")
            for spec in (fields if isinstance(fields, list) else [])
            if isinstance(spec, dict)
        }
        totals = _mapping(stage).get("totals")
        for t_index, total in enumerate(totals if isinstance(totals, list) else []):
            path = ("stages", stage_name, "totals", t_index)
            total = _mapping(total)
            summed = _as_list(total.get("sum"))
            named: list[tuple[tuple, object]] = [(("sum", i), name) for i, name in enumerate(summed)]
            shares = _as_list(total.get("shares"))
            for s_index, share in enumerate(shares):
                share = _mapping(share)
                named.append((("shares", s_index, "field"), share.get("field")))
                low, high = share.get("min_percent"), share.get("max_percent")
                if low is None and high is None:
                    checker.add(
                        (*path, "shares", s_index),
                        "a share without a limit",
                        "give min_percent, max_percent or both",
                    )
                elif isinstance(low, int | float) and isinstance(high, int | float) and low > high:
                    checker.add(
                        (*path, "shares", s_index, "min_percent"),
                        f"min_percent {low} is above max_percent {high}",
                        "swap them",
                    )
            for where, name in named:
                if not isinstance(name, str):
                    continue  # the schema reports those
                if name not in types:
                    checker.add(
                        (*path, *where),
                        f"totals of stage '{stage_name}' name '{name}', not a field of that stage",
                        suggest(name, [t for t in types if isinstance(t, str)])
                        or "name a money or integer field of the same stage",
                    )
                elif types[name] not in NUMBER_TYPES:
                    checker.add(
                        (*path, *where),
                        f"totals add numbers, but '{name}' is a {types[name]} field",
                        "name a money or integer field",
                    )


def check_prefill(checker) -> None:
    """Each prefilled field is a field of a stage the applicant fills first, of a type the value fits."""
    from workflow.vocabulary.profile import PROFILE_VALUES

    states = _mapping(checker.raw.get("states"))
    initial = {name for name, state in states.items() if _mapping(state).get("initial")}
    first: dict = {}
    for stage in checker.stages.values():
        if initial & set(_as_list(_mapping(stage).get("editable_in"))):
            first |= {
                spec.get("name"): spec.get("type")
                for spec in _as_list(_mapping(stage).get("fields"))
                if isinstance(spec, dict)
            }
    for source, target in _mapping(checker.raw.get("prefill")).items():
        if source not in PROFILE_VALUES:
            checker.add(
                ("prefill", source),
                f"'{source}' is not a profile value",
                suggest(source, PROFILE_VALUES) or f"use one of {', '.join(sorted(PROFILE_VALUES))}",
                key=True,
            )
        elif not isinstance(target, str):
            continue  # the schema reports it
        elif target not in first:
            checker.add(
                ("prefill", source),
                f"prefill.{source} names '{target}', not a field of a form filled in the initial state",
                suggest(target, [n for n in first if isinstance(n, str)]) or "name a field of the first form",
            )
        elif first[target] not in PROFILE_VALUES[source].field_types:
            wanted = " or ".join(sorted(PROFILE_VALUES[source].field_types))
            checker.add(
                ("prefill", source),
                f"prefill.{source} fills '{target}', a {first[target]} field",
                f"name a field of type {wanted}",
            )
