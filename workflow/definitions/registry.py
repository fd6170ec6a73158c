"""All program definitions: the rule files on disk (newest versions) plus every stored snapshot.

A broken file is refused whole and never affects the others. A published (key, version) whose
content changed while applications use it is refused; applications keep the version they started
under (compiled from the stored snapshot), new applications get the file's version.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from workflow.definitions.compiled import CompiledProgram
from workflow.definitions.loader import LoadResult, load_file, load_text
from workflow.definitions.source import Problem
from workflow.models import Application, DefinitionSnapshot

RULE_SUFFIXES = (".yaml", ".yml")
# Steps a package adds to publishing a program, before its snapshot is stored (money: the budget rows).
# Each takes (connection, program) and returns why the program is refused and a hint, or None.
PublishStep = Callable[[Any, CompiledProgram], tuple[str, str] | None]
PUBLISH_STEPS: list[PublishStep] = []


def register_publish_step(step: PublishStep) -> None:
    if step not in PUBLISH_STEPS:
        PUBLISH_STEPS.append(step)


class NoticeTemplates:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def __call__(self, name: str) -> bool:
        return all((self.directory / f"{name}.{lang}.txt").is_file() for lang in ("ko", "en"))


class DefinitionRegistry:
    def __init__(self, rules_dir: str | Path, templates_dir: str | Path):
        self.rules_dir = Path(rules_dir)
        self.template_exists = NoticeTemplates(templates_dir)
        self.results: list[LoadResult] = []
        self.current: dict[str, CompiledProgram] = {}
        self._by_sha: dict[str, CompiledProgram] = {}
        self._published: set[str] = set()  # snapshots known to be stored (they are never deleted)
        self._lock = threading.Lock()

    # loading files -------------------------------------------------------------------------
    def rule_files(self, paths=None) -> list[Path]:
        if paths:
            return [Path(p) for p in paths]
        return (
            sorted(p for p in self.rules_dir.iterdir() if p.suffix in RULE_SUFFIXES)
            if self.rules_dir.is_dir()
            else []
        )

    def load(self, paths=None) -> list[LoadResult]:
        results = [load_file(path, self.template_exists) for path in self.rule_files(paths)]
        self._cross_check(results)
        self.results = results
        self.current = {}
        for result in results:
            if result.program is not None and result.ok:
                self.current[result.program.key] = result.program
                self._by_sha[result.sha256] = result.program
        return results

    def _cross_check(self, results: list[LoadResult]) -> None:
        seen: dict[tuple[str, str], str] = {}
        keys = {r.program.key for r in results if r.program is not None and r.ok}
        for result in results:
            program = result.program
            if program is None or not result.ok:
                continue
            identity = (program.key, program.version)
            if identity in seen:
                result.problems.append(
                    Problem(
                        result.file,
                        1,
                        1,
                        f"{program.key} {program.version} is also defined in {seen[identity]}",
                        "give each file its own key or version",
                    )
                )
            seen.setdefault(identity, result.file)
            for index, transition in enumerate(program.transitions):
                for kind, params in transition.effects:
                    target = getattr(params, "program", None)
                    if kind.name == "open" and target not in keys:
                        result.problems.append(
                            Problem(
                                result.file,
                                1,
                                1,
                                f"transitions[{index}] opens unknown program '{target}'",
                                "add its rule file to rules/",
                            )
                        )
        for result in results:
            if result.problems:
                result.program = None

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.results for p in r.problems]

    # versions ------------------------------------------------------------------------------
    def publish(self, connection, program: CompiledProgram) -> Problem | None:
        """Store the program's snapshot (and budget row) unless it would change a version in use."""
        if program.sha256 in self._published:
            return None
        stored = (
            connection.execute(
                select(DefinitionSnapshot.sha256).where(
                    DefinitionSnapshot.program_key == program.key,
                    DefinitionSnapshot.version == program.version,
                )
            )
            .scalars()
            .all()
        )
        if program.sha256 in stored:
            self._published.add(program.sha256)  # committed earlier; safe to remember
            return None
        if stored:
            in_use = connection.execute(
                select(func.count())
                .select_from(Application)
                .where(Application.program_key == program.key, Application.program_version == program.version)
            ).scalar_one()
            if in_use:
                return Problem(
                    program.file,
                    1,
                    1,
                    f"{program.key} {program.version} is published and {in_use} application(s) use it, but the file changed",
                    "keep that version's content and give the changed file a new version",
                )
        for step in PUBLISH_STEPS:  # before the snapshot: a refused step stores nothing
            refused = step(connection, program)
            if refused:
                return Problem(program.file, 1, 1, *refused)
        connection.execute(
            insert(DefinitionSnapshot).values(
                sha256=program.sha256,
                program_key=program.key,
                version=program.version,
                file_name=Path(program.file).name,
                source=program.source,
            )
        )
        return None

    def publish_all(self, engine) -> list[Problem]:
        """Check every loaded program against the stored snapshots; refuse changed published ones."""
        problems = []
        for key, program in list(self.current.items()):
            with engine.begin() as connection:
                problem = self.publish(connection, program)
            if problem:
                problems.append(problem)
                del self.current[key]
                for result in self.results:
                    if result.program is program:
                        result.problems.append(problem)
                        result.program = None
        return problems

    # lookup --------------------------------------------------------------------------------
    def latest(self, key: str) -> CompiledProgram | None:
        return self.current.get(key)

    def get(self, connection, key: str, version: str, sha256: str) -> CompiledProgram | None:
        """The exact definition an application is pinned to, compiled once from its snapshot."""
        program = self._by_sha.get(sha256)
        if program is not None:
            return program
        row = (
            connection.execute(select(DefinitionSnapshot).where(DefinitionSnapshot.sha256 == sha256))
            .mappings()
            .first()
        )
        if row is None or row["program_key"] != key or row["version"] != version:
            return None
        result = load_text(row["source"], row["file_name"], lambda _name: True)
        if result.program is None:
            return None
        with self._lock:
            return self._by_sha.setdefault(sha256, result.program)

    def find_version(self, connection, key: str, version: str) -> CompiledProgram | None:
        current = self.current.get(key)
        if current is not None and current.version == version:
            return current
        sha = connection.execute(
            select(DefinitionSnapshot.sha256)
            .where(DefinitionSnapshot.program_key == key, DefinitionSnapshot.version == version)
            .order_by(DefinitionSnapshot.stored_at.desc())
        ).scalar()
        return self.get(connection, key, version, sha) if sha else None
