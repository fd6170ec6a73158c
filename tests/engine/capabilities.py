"""Helpers for the capability fixtures (tests/fixtures/capabilities): a workflow over one of those files
and staff holding a role for its program."""

from __future__ import annotations

import shutil

from tests.conftest import FIXTURES, make_workflow
from workflow.engine.actors import load_actor
from workflow.services.users import create_user

CAPABILITIES = FIXTURES / "capabilities"


def capability_workflow(db_engine, clock, tmp_path, *names: str):
    """A workflow whose rules folder holds the named capability fixtures (file stems)."""
    rules = tmp_path / "capability-rules"
    rules.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(CAPABILITIES / f"{name}.yaml", rules / f"{name}.yaml")
    return make_workflow(db_engine, clock, rules)


def staff(db_engine, role: str | list[str], program_key: str, name: str):
    """A user holding `role` (or each of a list of roles) for the program, as an Actor."""
    roles = [role] if isinstance(role, str) else role
    with db_engine.begin() as connection:
        user_id = create_user(connection, f"{name}@test.kr", name, roles=[(r, program_key) for r in roles])
    with db_engine.connect() as connection:
        return load_actor(connection, user_id)
