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
from workflow.definitions.crosscheck import cross_check
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


def _line_of(source: str, key: str) -> tuple[int, int]:
    """(line, column) of a top-level `key:` in the file's text, (1, 1) if absent."""
    for number, line in enumerate(source.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number, 1
    return 1, 1


class NoticeTemplates:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def __call__(self, name: str, program_key: str = "") -> bool:
        """Both languages exist, each shared or in the program's own folder (which overrides the shared one)."""
        folders = [self.directory / program_key, self.directory] if program_key else [self.directory]
        return all(any((f / f"{name}.{lang}.txt").is_file() for f in folders) for lang in ("ko", "en"))


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
        cross_check(results)
        self.results = results
        self.current = {}
        for result in results:
            if result.program is not None and result.ok:
                self.current[result.program.key] = result.program
                self._by_sha[result.sha256] = result.program
        return results

    def check_files(self, paths) -> list[LoadResult]:
        """Load `paths` for checking only, resolving references against the other files of RULES_DIR
        (a given file replaces the RULES_DIR file with its key). Changes nothing in this registry."""
        results = [load_file(Path(path), self.template_exists) for path in paths]
        given = {Path(r.file).resolve() for r in results}
        keys = {r.key for r in results if r.key}
        context = [
            load_file(path, self.template_exists) for path in self.rule_files() if path.resolve() not in given
        ]
        cross_check(results, [r for r in context if r.key not in keys])
        return results

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.results for p in r.problems]

    # versions ------------------------------------------------------------------------------
    def changed_in_use(self, connection, program: CompiledProgram) -> Problem | None:
        """Read-only: a problem if (key, version) is published with other content and applications use it."""
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
        if not stored or program.sha256 in stored:
            return None
        in_use = connection.execute(
            select(func.count())
            .select_from(Application)
            .where(Application.program_key == program.key, Application.program_version == program.version)
        ).scalar_one()
        if not in_use:
            return None
        return Problem(
            program.file,
            *_line_of(program.source, "version"),
            f"{program.key} {program.version} is published and {in_use} application(s) use it, but the file changed",
            f"keep that version's content and give the changed file a new version (e.g. version: "
            f'"{program.version}.1"), then `flask rules migrate` if applications should move',
        )

    def publish(self, connection, program: CompiledProgram) -> Problem | None:
        """Store the program's snapshot (and budget row) unless it would change a version in use."""
        if program.sha256 in self._published:
            return None
        problem = self.changed_in_use(connection, program)
        if problem is not None:
            return problem
        if connection.execute(
            select(DefinitionSnapshot.sha256).where(DefinitionSnapshot.sha256 == program.sha256)
        ).first():
            self._published.add(program.sha256)  # committed earlier; safe to remember
            return None
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
        """Store every loaded program's snapshot (`flask rules publish`, `flask db upgrade`); a file changed
        under a version in use is refused (and dropped from `current`)."""
        return self._each_current(engine, self.publish, begin=True)

    def check_published(self, engine) -> list[Problem]:
        """Read-only: refuse (drop from `current`) files changed under a version applications use."""
        return self._each_current(engine, self.changed_in_use, begin=False)

    def _each_current(self, engine, step, begin: bool) -> list[Problem]:
        problems = []
        for key, program in list(self.current.items()):
            with engine.begin() if begin else engine.connect() as connection:
                problem = step(connection, program)
            if problem:
                problems.append(problem)
                self._refuse(key, program, problem)
        return problems

    def _refuse(self, key: str, program: CompiledProgram, problem: Problem) -> None:
        del self.current[key]
        for result in self.results:
            if result.program is program:
                result.problems.append(problem)
                result.program = None

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
        result = load_text(row["source"], row["file_name"], lambda *_: True)
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
