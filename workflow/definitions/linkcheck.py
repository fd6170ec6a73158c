"""Checks of what guards read from linked applications (`parent`, `children`) against the other rule files:
the states and fields they name exist in the programs that open this one, or that this one opens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from workflow.definitions.raw import as_list, mapping
from workflow.definitions.source import Problem
from workflow.definitions.wording import suggest
from workflow.vocabulary.effects import expressions_of
from workflow.vocabulary.fields import NUMBER_LIMITS
from workflow.vocabulary.guards import Expression
from workflow.vocabulary.linked_names import (
    named_child_parts,
    named_children,
    named_parent_fields,
    named_parent_states,
)


def expressions_with_paths(program) -> list[tuple[tuple, Expression]]:
    """(rule-file path, compiled expression) of every guard and effect expression of a program."""
    found: list[tuple[tuple, Expression]] = []
    for index, transition in enumerate(program.transitions):
        if transition.guard is not None:
            found.append((("transitions", index, "guard"), transition.guard))
        for e_index, (kind, params) in enumerate(transition.effects):
            for source in expressions_of(kind.name, params):
                found.append(
                    (("transitions", index, "effects", e_index, kind.name), program.expressions[source])
                )
    return found


def openers_of(key: str, results) -> list:
    return [
        result
        for result in results
        if result.program is not None
        and any(
            kind.name == "open" and params.program == key
            for transition in result.program.transitions
            for kind, params in transition.effects
        )
    ]


def link_problems(
    result, loaded: dict, everyone: list, line: Callable[..., tuple[int, int]]
) -> list[Problem]:
    """Problems of `result`'s expressions that read `parent` or `children`; `line(result, path)` places them.
    The programs that open this one are looked up in every file read (one refused for a problem of its own
    still says what it opens); none is reported missing while a file is refused whole."""

    program = result.program
    problems = []

    def add(path, message: str, hint: str = "") -> None:
        problems.append(Problem(result.file, *line(result, path), message, hint))

    openers = None
    for index, transition in enumerate(program.transitions):
        for e_index, (kind, _params) in enumerate(transition.effects):
            if not kind.parent_requires:
                continue
            path = ("transitions", index, "effects", e_index, kind.name)
            if openers is None:
                openers = openers_of(program.key, everyone)
            if not openers and not program.spec.follow_up_only and all(r.program for r in everyone):
                add(
                    path,
                    f"effect '{kind.name}' needs a program that opens this one, but no rule file opens '{program.key}'",
                    f"add open: {{program: {program.key}}} to a transition of the program it follows",
                )
            for opener in openers:
                have = {k.name for t in opener.program.transitions for k, _ in t.effects}
                for needed in kind.parent_requires:
                    if needed not in have:
                        add(
                            path,
                            f"effect '{kind.name}' needs the program that opens this one to have '{needed}', "
                            f"but {Path(opener.file).name} has no {needed}",
                            f"add an effect {needed}: to a transition of {Path(opener.file).name}",
                        )
    for path, expression in expressions_with_paths(program):
        if "children" in expression.variables:
            for key, part, name in sorted(named_child_parts(expression.source)):
                if key in loaded:
                    _child_part(add, path, loaded[key], key, part, name)
        if "parent" not in expression.variables:
            continue
        if openers is None:
            openers = openers_of(program.key, everyone)
        if not openers:
            # a follow_up_only program nothing opens is reported as that (crosscheck.py)
            if not program.spec.follow_up_only and all(r.program is not None for r in everyone):
                add(
                    path,
                    f"expression reads parent, but no rule file opens '{program.key}'",
                    f"add open: {{program: {program.key}}} to a transition of the program it follows",
                )
            continue
        for name in sorted(named_parent_fields(expression.source)):
            for opener in openers:
                if name not in opener.program.fields:
                    add(
                        path,
                        f"expression reads parent.data.{name}, but {Path(opener.file).name} has no field "
                        f"'{name}'",
                        suggest(name, opener.program.fields),
                    )
        states = {s for opener in openers for s in opener.program.spec.states}
        for state in sorted(named_parent_states(expression.source) - states):
            add(
                path,
                f"expression compares parent.state with '{state}', which no program that opens "
                f"'{program.key}' has",
                suggest(state, states),
            )
    return problems


def _child_part(add, path, child, key: str, part: str, name: str) -> None:

    program, file = child.program, Path(child.file).name
    if part == "by_state" and name not in program.spec.states:
        add(
            path,
            f'expression reads children["{key}"].by_state["{name}"], but {file} has no state \'{name}\'',
            suggest(name, program.spec.states) or f"states: {', '.join(program.spec.states)}",
        )
    if part == "sum":
        spec = program.fields.get(name)
        if spec is None or spec.type not in NUMBER_LIMITS:
            numbers = [f.name for f in program.fields.values() if f.type in NUMBER_LIMITS]
            add(
                path,
                f'expression sums children["{key}"].sum["{name}"], but {file} has no number field \'{name}\'',
                suggest(name, numbers) or f"number fields: {', '.join(numbers) or 'none'}",
            )


def check_children(checker, path, source: str) -> None:
    """`children["key"]` names a program this one opens (its states and fields: crosscheck.py)."""

    opened = {
        mapping(mapping(effect).get("open")).get("program")
        for transition in checker.transitions
        for effect in as_list(transition.get("effects"))
    } - {None}
    for key in sorted(named_children(source) - opened):
        checker.add(
            path,
            f"expression reads children[\"{key}\"], but this program opens no '{key}'",
            suggest(key, opened) or "add an effect open: {program: " + key + "} to one of its transitions",
        )
