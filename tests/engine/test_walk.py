"""Walk every shipped rule file through fire(): every state reachable with suitable actors and data,
every guard tried true and false."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import FIXTURES, RULES_DIR, People, make_workflow, rules_folder
from tests.engine.walk_values import inside_open_period, walk_clock
from tests.engine.walker import Walker

PROGRAMS = sorted(path.stem for path in RULES_DIR.glob("*.yaml"))
TESTS = RULES_DIR.parent / "tests"
FIXTURE_DIRS = (TESTS / "engine" / "rules", TESTS / "money" / "rules")
# fixtures made for one refusal are not walked: panel copies its title into a digits-only code, and
# global-grant's USD award needs an exchange rate recorded first
NOT_WALKED = {"panel", "panel-followup", "global-grant"}
FIXTURE_PROGRAMS = [
    (folder, path.stem)
    for folder in FIXTURE_DIRS
    for path in sorted(folder.glob("*.yaml"))
    if path.stem not in NOT_WALKED
]


def _walk_every_state_and_guard(rules, key, engine, clock, people, store) -> None:
    workflow = make_workflow(engine, clock, rules)
    program = workflow.registry.latest(key)
    clock.now = walk_clock(workflow.registry, program, clock.now)
    walk = Walker(workflow, people, store, program).walk()

    assert set(walk.reached) == set(program.spec.states), (
        f"unreached: {set(program.spec.states) - set(walk.reached)}"
    )
    guarded = {t.index for t in program.transitions if t.guard is not None}
    assert guarded <= walk.guards_true, [program.transitions[i].trigger for i in guarded - walk.guards_true]
    untried_false = guarded - walk.guards_false - walk.guards_false_direct
    assert not untried_false, [program.transitions[i].trigger for i in untried_false]
    # guards that no reachable data makes false through fire() (bounds the form already enforces, a repeat of an
    # earlier guard, a field only an effect sets) are tried false by evaluating them directly
    assert not guarded or walk.guards_false, "at least some guards must be refused through fire() itself"


@pytest.mark.parametrize("key", PROGRAMS)
def test_every_shipped_program_reaches_every_state_and_every_guard_both_ways(
    key, sqlite_engine, clock, store
):
    """On SQLite: the engine's behaviour on PostgreSQL is the fixture programs' walk below and the engine
    tests; walking every shipped program there again took a minute of the suite."""
    _walk_every_state_and_guard(RULES_DIR, key, sqlite_engine, clock, People(sqlite_engine), store)


@pytest.mark.parametrize(
    ("rules", "key"), FIXTURE_PROGRAMS, ids=[f"fixture-{key}" for _folder, key in FIXTURE_PROGRAMS]
)
def test_every_fixture_program_reaches_every_state_and_every_guard_both_ways(
    rules, key, db_engine, clock, people, store
):
    _walk_every_state_and_guard(rules, key, db_engine, clock, people, store)


def test_a_new_program_unlike_the_shipped_ones_walks_from_a_copied_file(
    db_engine, clock, people, store, tmp_path
):
    """Adding a valid rule file never breaks the suite: another open period, its own role, a pattern, an
    unguarded automatic step and an automatic branch on the data, walked with no Python change."""
    rules = rules_folder(tmp_path, FIXTURES / "new_program" / "device-trial.yaml")
    workflow = make_workflow(db_engine, clock, rules)
    program = workflow.registry.latest("device-trial")
    clock.now = inside_open_period(program, clock.now)
    assert clock.now.year == 2027
    walk = Walker(workflow, people, store, program).walk()
    assert set(walk.reached) == set(program.spec.states), set(program.spec.states) - set(walk.reached)
    branches = {t.index for t in program.transitions if t.guard is not None}
    assert branches <= walk.guards_true and branches <= walk.guards_false, (
        "both automatic branches, both ways"
    )


CAPABILITY_DIR = FIXTURES / "capabilities"
CAPABILITY_FIXTURES = sorted(CAPABILITY_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", CAPABILITY_FIXTURES, ids=lambda p: p.stem)
def test_every_capability_fixture_walks(path, db_engine, clock, people, store, tmp_path):
    """The rule-format capabilities' own fixture files (deadlines from data, review rounds, sign-offs,
    automatic steps on events, ...) walk like any program: every state reached, every guard both ways.
    The whole folder is loaded, so a fixture may open another one (`open:`)."""
    rules = tmp_path / "rules"
    shutil.copytree(CAPABILITY_DIR, rules)
    workflow = make_workflow(db_engine, clock, rules)
    program = workflow.registry.latest(path.stem)  # a fixture's file name is its key
    clock.now = inside_open_period(program, clock.now)
    walk = Walker(workflow, people, store, program).walk()
    assert set(walk.reached) == set(program.spec.states), set(program.spec.states) - set(walk.reached)
    guarded = {t.index for t in program.transitions if t.guard is not None}
    assert guarded <= walk.guards_true, [program.transitions[i].trigger for i in guarded - walk.guards_true]
    untried_false = guarded - walk.guards_false - walk.guards_false_direct
    assert not untried_false, [program.transitions[i].trigger for i in untried_false]
