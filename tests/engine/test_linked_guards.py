"""Guards read the linked applications: `parent` (state and data of the application that opened this one)
and `children` (counts by state and sums over those it opened), on tests/engine/rules/contract*.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import event, select

from tests.conftest import TEMPLATES_DIR, make_workflow
from workflow.definitions.registry import DefinitionRegistry
from workflow.engine.actors import load_actor
from workflow.engine.links import children_of
from workflow.models import ApplicationLink
from workflow.services.users import create_user

ENGINE_RULES = Path(__file__).parent / "rules"


@pytest.fixture
def officer(db_engine):
    with db_engine.begin() as connection:
        user_id = create_user(
            connection,
            "linked-officer@test.kr",
            "officer",
            roles=[("officer", "contract"), ("officer", "contract-amendment")],
        )
    with db_engine.connect() as connection:
        return load_actor(connection, user_id)


@pytest.fixture
def workflow(db_engine, clock):
    return make_workflow(db_engine, clock, ENGINE_RULES)


def _contract_with_amendment(workflow, people, officer) -> tuple[int, int]:
    contract = workflow.create("contract", people.applicant, {"title": "실증", "months": 12}).application_id
    assert workflow.fire(contract, "sign", people.applicant).ok
    assert workflow.fire(contract, "request_amendment", officer).ok
    with workflow.db.connect() as connection:
        amendment = connection.execute(
            select(ApplicationLink.target_id)
            .where(ApplicationLink.source_id == contract)
            .order_by(ApplicationLink.id.desc())
        ).first()[0]
    return contract, amendment


def test_a_child_guard_reads_its_parents_state_and_data(workflow, people, officer):
    contract, amendment = _contract_with_amendment(workflow, people, officer)
    assert workflow.fire(amendment, "send_back", officer, reason="기간").ok
    assert workflow.save_draft(amendment, people.applicant, {"months": 30}).ok
    too_long = workflow.fire(amendment, "submit", people.applicant)
    assert too_long.refusal.code == "guard_failed", "30 months is more than the contract's 12 + 12"
    assert "12 months" in too_long.reason("en")
    assert workflow.save_draft(amendment, people.applicant, {"months": 20}).ok
    assert workflow.fire(amendment, "submit", people.applicant).ok
    assert workflow.fire(amendment, "send_back", officer, reason="다시").ok
    assert workflow.fire(contract, "close", officer).ok
    closed = workflow.fire(amendment, "submit", people.applicant)
    assert closed.refusal.code == "guard_failed", "its contract is no longer signed"


def test_a_parent_guard_counts_its_children_by_state(workflow, people, officer):
    contract, amendment = _contract_with_amendment(workflow, people, officer)
    refused = workflow.fire(contract, "close", officer)
    assert refused.refusal.code == "guard_failed"
    assert "under review" in refused.reason("en") and "검토 중인" in refused.reason("ko")
    assert workflow.fire(amendment, "approve", officer).ok
    assert workflow.fire(contract, "close", officer).ok


def test_children_are_summed_per_program_and_the_names_a_guard_reads_start_at_zero(workflow, people, officer):
    contract, first = _contract_with_amendment(workflow, people, officer)
    assert workflow.fire(contract, "request_amendment", officer).ok
    assert workflow.fire(first, "approve", officer).ok
    source = 'children["contract-amendment"].by_state["rejected"] == 0 && children["other"].count == 0'
    with workflow.db.connect() as connection:
        application, _program = workflow.load(connection, contract)
        summary = children_of(connection, application, [source])
    assert summary["contract-amendment"] == {
        "count": 2,
        "by_state": {"approved": 1, "review": 1, "rejected": 0},
        "sum": {"months": 24},
    }
    assert summary["other"] == {"count": 0, "by_state": {}, "sum": {}}


def test_linked_applications_are_read_only_when_a_guard_names_them(workflow, people, officer, db_engine):
    contract = workflow.create("contract", people.applicant, {"title": "실증", "months": 12}).application_id
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db_engine, "before_cursor_execute", record)
    try:
        assert workflow.fire(contract, "sign", people.applicant).ok  # no guard: no link is read
        signing = [s for s in statements if "application_links" in s]
        statements.clear()
        assert workflow.fire(contract, "close", officer).ok  # its guard reads children: one query
        closing = [s for s in statements if "application_links" in s]
    finally:
        event.remove(db_engine, "before_cursor_execute", record)
    assert signing == [] and len(closing) == 1


def _rules_with(tmp_path, name: str, old: str, new: str) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    for each in ("contract.yaml", "contract-amendment.yaml"):
        shutil.copy(ENGINE_RULES / each, rules / each)
    text = (rules / name).read_text(encoding="utf-8")
    assert old in text
    (rules / name).write_text(text.replace(old, new), encoding="utf-8")
    return rules


def _only_problem(rules: Path, name: str):
    """The one problem of file `name` (the file that opens it, if any, is refused for that in turn)."""
    registry = DefinitionRegistry(rules, TEMPLATES_DIR)
    registry.load()
    (problem,) = [p for p in registry.problems if Path(p.file).name == name]
    return problem


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


@pytest.mark.parametrize(
    ("name", "old", "new", "says"),
    [
        (
            "contract.yaml",
            'children["contract-amendment"].by_state["review"]',
            'children["contract-amendmnt"].by_state["review"]',
            "reads children[\"contract-amendmnt\"], but this program opens no 'contract-amendmnt'",
        ),
        (
            "contract.yaml",
            'by_state["review"]',
            'by_state["reviw"]',
            "by_state[\"reviw\"], but contract-amendment.yaml has no state 'reviw'",
        ),
        (
            "contract.yaml",
            'by_state["review"] == 0',
            'by_state["review"] == 0 && children["contract-amendment"].sum["contract_title"] == 0',
            "sum[\"contract_title\"], but contract-amendment.yaml has no number field 'contract_title'",
        ),
        (
            "contract-amendment.yaml",
            "parent.data.months",
            "parent.data.month",
            "reads parent.data.month, but contract.yaml has no field 'month'",
        ),
        (
            "contract-amendment.yaml",
            'parent.state == "signed"',
            'parent.state == "signd"',
            "compares parent.state with 'signd', which no program that opens 'contract-amendment' has",
        ),
    ],
    ids=[
        "unknown child program",
        "unknown child state",
        "sum of a text field",
        "parent field",
        "parent state",
    ],
)
def test_names_read_from_linked_applications_are_checked_at_load(tmp_path, name, old, new, says):
    rules = _rules_with(tmp_path, name, old, new)
    problem = _only_problem(rules, name)
    assert says in problem.message, problem
    assert problem.line == _line_of(rules / name, "guard:")
