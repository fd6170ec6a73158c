"""Checks across rule files: one file per (key, version), and every `open:` names a program that loads.

A file that opens another program is refused when that program has no file or its file is refused;
the problem points at the `open:` line and says which of the two it is (and why the other was refused).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workflow.definitions.linkcheck import link_problems
from workflow.definitions.loader import LoadResult
from workflow.definitions.source import Problem
from workflow.definitions.wording import suggest


def cross_check(results: list[LoadResult], context: Sequence[LoadResult] = ()) -> None:
    """Add cross-file problems to `results` (and refuse those files); `context` are the other files of
    RULES_DIR, read for reference only (their own problems are not reported here)."""
    _duplicates(results, context)
    everyone = [*results, *context]
    changed = True
    while changed:  # refusing one file may refuse the files that open it
        changed = False
        loaded = {r.program.key: r for r in everyone if r.program is not None and not r.problems}
        refused = {r.key: r for r in everyone if r.key and r.key not in loaded}
        for result in everyone:
            if result.program is None or result.problems:
                continue
            for problem in [
                *_open_problems(result, loaded, refused),
                *link_problems(result, loaded, everyone, _line),
            ]:
                result.problems.append(problem)
                changed = True
        if not changed:
            before = sum(len(r.problems) for r in everyone)
            _unopened_follow_ups(everyone)
            changed = sum(len(r.problems) for r in everyone) != before
    for result in everyone:
        if result.problems:
            result.program = None


def _duplicates(results: list[LoadResult], context: Sequence[LoadResult]) -> None:
    seen: dict[tuple[str, str], str] = {
        (r.program.key, r.program.version): r.file for r in context if r.program is not None
    }
    for result in results:
        program = result.program
        if program is None or result.problems:
            continue
        identity = (program.key, program.version)
        if identity in seen:
            line = _line(result, ("version",))
            result.problems.append(
                Problem(
                    result.file,
                    *line,
                    f"{program.key} {program.version} is also defined in {seen[identity]}",
                    "give each file its own key or version",
                )
            )
        seen.setdefault(identity, result.file)


def _open_problems(result: LoadResult, loaded: dict, refused: dict) -> list[Problem]:
    problems = []
    program = result.program
    assert program is not None
    for index, transition in enumerate(program.transitions):
        for e_index, (kind, params) in enumerate(transition.effects):
            target = getattr(params, "program", None)
            if kind.name != "open":
                continue
            path = ("transitions", index, "effects", e_index, kind.name)
            if target in loaded:
                problems += _follow_up_problems(result, path, transition.trigger, params, loaded[target])
                continue
            where = _line(result, (*path, "program"))
            if target in refused:
                other = refused[target]
                first = other.problems[0] if other.problems else None
                why = f": {first.message} (line {first.line})" if first else ""
                problems.append(
                    Problem(
                        result.file,
                        *where,
                        f"'{transition.trigger}' opens program '{target}', but its file "
                        f"{Path(other.file).name} was refused{why}",
                        f"fix {Path(other.file).name} first (flask rules check {other.file})",
                    )
                )
            else:
                problems.append(
                    Problem(
                        result.file,
                        *where,
                        f"'{transition.trigger}' opens program '{target}', but no rule file has that key",
                        suggest(str(target), list(loaded)) or "add its rule file to RULES_DIR",
                    )
                )
    return problems


def _follow_up_problems(result: LoadResult, path: tuple, trigger: str, params, other: LoadResult) -> list:
    """`at:` names a state of the opened program and every `copy:` key one of its fields."""
    problems = []
    target = other.program
    assert target is not None
    name = Path(other.file).name
    if params.at is not None and params.at not in target.spec.states:
        problems.append(
            Problem(
                result.file,
                *_line(result, (*path, "at")),
                f"'{trigger}' opens '{target.key}' at state '{params.at}', but {name} has no such state",
                suggest(params.at, target.spec.states)
                or f"states of {name}: {', '.join(target.spec.states)}",
            )
        )
    for field_name in params.copy_fields:
        if field_name not in target.fields:
            problems.append(
                Problem(
                    result.file,
                    *_line(result, (*path, "copy", field_name), key=True),
                    f"'{trigger}' copies into field '{field_name}', but {name} has no such field",
                    suggest(field_name, target.fields) or f"add '{field_name}' to a stage of {name}",
                )
            )
    return problems


def _unopened_follow_ups(everyone: list[LoadResult]) -> None:
    """A `follow_up_only` program that no file opens could never have an application (not said while a file
    is refused whole: it may be the one that opens it)."""
    if any(r.program is None for r in everyone):
        return
    opened = {
        params.program
        for r in everyone
        if r.program is not None
        for t in r.program.transitions
        for kind, params in t.effects
        if kind.name == "open"
    }
    for result in everyone:
        program = result.program
        if program is None or result.problems or not program.spec.follow_up_only:
            continue
        if program.key not in opened:
            result.problems.append(
                Problem(
                    result.file,
                    *_line(result, ("follow_up_only",)),
                    f"'{program.key}' is follow_up_only, but no rule file opens it",
                    f"add an effect open: {{program: {program.key}}} to a transition of another program, "
                    "or remove follow_up_only",
                )
            )


def _line(result: LoadResult, path: tuple, key: bool = False) -> tuple[int, int]:
    return result.source_map.at(path, key=key) if result.source_map is not None else (1, 1)
