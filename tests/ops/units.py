"""The command lines and environment of the systemd units in deploy/, with the install paths
(/srv/grants, its .venv, /run/…) mapped to this checkout, so tests start exactly what the units start."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from workflow.config import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
VENV_BIN = str(Path(sys.executable).parent)


def localise(text: str, run_dir: Path | None = None) -> str:
    text = text.replace("/srv/grants/.venv/bin", VENV_BIN).replace("/srv/grants", str(PROJECT_ROOT))
    if run_dir is not None:
        text = text.replace("/run/", f"{run_dir}/")
    return text


def _lines(unit: str, key: str) -> list[str]:
    prefix = f"{key}="
    return [
        line[len(prefix) :] for line in (DEPLOY / unit).read_text().splitlines() if line.startswith(prefix)
    ]


def exec_starts(unit: str) -> list[list[str]]:
    """Every ExecStart= of the unit as an argv."""
    return [shlex.split(localise(line)) for line in _lines(unit, "ExecStart")]


def environment(unit: str, run_dir: Path) -> dict[str, str]:
    """The unit's own Environment= settings (EnvironmentFile is the test's to give)."""
    env = {}
    for line in _lines(unit, "Environment"):
        name, _, value = localise(line, run_dir).partition("=")
        env[name] = value
    return env
