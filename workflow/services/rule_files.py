"""The administrator's view of one program's rule file: every version (the file in use and every stored
snapshot), which applications run on which, the file as highlighted text, and its diagram as SVG.

The diagram is drawn by Graphviz's `dot` — the `graphviz-pure` wheel (a dependency: it works after a plain
`pip install`), else a `dot` on the PATH. Drawings are kept per (file, language)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from workflow.definitions.compiled import CompiledProgram
from workflow.definitions.diagram import as_labelled_dot
from workflow.models import Application, DefinitionSnapshot

SHA = re.compile(r"^[0-9a-f]{64}$")
RENDER_TIMEOUT = 20  # seconds; a rule file has tens of states, drawn in well under a second
FONT_STACK = "Pretendard GOV, Pretendard, Noto Sans KR, Malgun Gothic, Apple SD Gothic Neo, NanumGothic, Arial, sans-serif"
_drawings: OrderedDict[tuple[str, str], str] = OrderedDict()
_drawings_lock = threading.Lock()
DRAWINGS_KEPT = 64


@dataclass
class Version:
    sha256: str
    version: str
    file_name: str
    stored_at: datetime | None
    in_use: bool  # the file in rules/ now
    applications: int = 0
    states: dict[str, int] = field(default_factory=dict)


def versions(connection, registry, key: str) -> list[Version]:
    """The file in use first, then the stored snapshots newest first; each with its applications by state."""
    found: dict[str, Version] = {}
    current = registry.current.get(key)
    if current is not None:
        found[current.sha256] = Version(current.sha256, current.version, Path(current.file).name, None, True)
    for row in connection.execute(
        select(
            DefinitionSnapshot.sha256,
            DefinitionSnapshot.version,
            DefinitionSnapshot.file_name,
            DefinitionSnapshot.stored_at,
        )
        .where(DefinitionSnapshot.program_key == key)
        .order_by(DefinitionSnapshot.stored_at.desc())
    ):
        if row.sha256 in found:
            found[row.sha256].stored_at = row.stored_at
        else:
            found[row.sha256] = Version(
                row.sha256, row.version, Path(row.file_name).name, row.stored_at, False
            )
    for sha, state, count in connection.execute(
        select(Application.definition_sha, Application.state, func.count())
        .where(Application.program_key == key)
        .group_by(Application.definition_sha, Application.state)
    ):
        if sha in found:
            found[sha].states[state] = count
            found[sha].applications += count
    return list(found.values())


def load(connection, registry, key: str, sha256: str | None) -> CompiledProgram | None:
    """One version of the program (`sha256` None: the file in use), compiled; None if there is none."""
    current = registry.current.get(key)
    if sha256 is None or (current is not None and current.sha256 == sha256):
        return current
    if not SHA.match(sha256):
        return None
    row = connection.execute(
        select(DefinitionSnapshot.version).where(
            DefinitionSnapshot.sha256 == sha256, DefinitionSnapshot.program_key == key
        )
    ).first()
    return registry.get(connection, key, row.version, sha256) if row else None


def renderer() -> str | None:
    """The `dot` to draw with: graphviz-pure beside this Python, else one on the PATH."""
    beside = os.path.dirname(sys.executable)
    return shutil.which("graphviz-pure", path=beside) or shutil.which("graphviz-pure") or shutil.which("dot")


def diagram_svg(program: CompiledProgram, lang: str) -> str | None:
    """The program's state diagram as SVG text, or None when no renderer is installed or it failed."""
    cache_key = (program.sha256, lang)
    with _drawings_lock:
        if cache_key in _drawings:
            _drawings.move_to_end(cache_key)
            return _drawings[cache_key]
    command = renderer()
    if command is None:
        return None
    try:
        done = subprocess.run(
            [command, "-Tsvg"],
            input=as_labelled_dot(program, lang).encode(),
            capture_output=True,
            timeout=RENDER_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0 or b"<svg" not in done.stdout:
        return None
    svg = done.stdout.decode("utf-8", "replace").replace('font-family="Arial"', f'font-family="{FONT_STACK}"')
    with _drawings_lock:
        _drawings[cache_key] = svg
        while len(_drawings) > DRAWINGS_KEPT:
            _drawings.popitem(last=False)
    return svg


YAML_LINE = re.compile(r"^(\s*(?:-\s+)?)([^\s:#'\"][^:#]*?)(:)(?=\s|$)(.*)$")


def _split_comment(text: str) -> tuple[str, str]:
    """(code, comment): a # that starts the line or follows a space, outside quotes."""
    quote = None
    for index, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1].isspace()):
            return text[:index], text[index:]
    return text, ""


def highlighted(source: str) -> list[list[tuple[str, str]]]:
    """The file as lines of (css class, text) pieces: keys, values and comments (the page escapes them)."""
    lines = []
    for raw in source.splitlines():
        code, comment = _split_comment(raw)
        pieces: list[tuple[str, str]] = []
        match = YAML_LINE.match(code)
        if match:
            indent, key, colon, rest = match.groups()
            pieces += [("", indent), ("k", key), ("", colon), ("v", rest)]
        elif code:
            pieces.append(("v", code))
        if comment:
            pieces.append(("c", comment))
        lines.append([piece for piece in pieces if piece[1]])
    return lines
