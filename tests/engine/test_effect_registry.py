"""An effect kind is one registered object: a test module adds one and fire() runs it end to end,
with no change to the engine; the engine's modules import nothing from money."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, TEMPLATES_DIR, make_workflow
from workflow.definitions.loader import load_file
from workflow.definitions.registry import NoticeTemplates
from workflow.vocabulary.effects import EFFECTS, EffectKind, EffectParams, EffectRefused, register_effect
from workflow.vocabulary.guards import CONTEXT_SOURCES, ContextSource
from workflow.vocabulary.messages import Message

STAMPED = FIXTURES / "registries" / "stamped.yaml"
WORKFLOW_DIR = Path(__file__).resolve().parents[2] / "workflow"


class StampParams(EffectParams):
    note: str  # an expression
    remind_on: str | None = None  # a trigger


class Stamps:
    """What the test effect did, kept in memory so the test can look."""

    def __init__(self):
        self.applied: list[tuple[int, str]] = []
        self.triggered: list[tuple[int, str]] = []

    def check(self, context, params) -> None:
        if context.evaluate(params.note) == "refuse me":
            raise EffectRefused(Message("amount_invalid", {"detail": "stamp refused"}))

    def apply(self, context, params) -> None:
        self.applied.append((context.application.id, context.evaluate(params.note)))

    def on_trigger(self, context, trigger: str) -> None:
        self.triggered.append((context.application.id, trigger))

    def summary(self, _connection, row) -> dict:
        return {"count": sum(1 for app_id, _ in self.applied if app_id == row.id)}


@pytest.fixture
def stamps():
    record = Stamps()
    register_effect(
        EffectKind(
            "stamp",
            StampParams,
            record.apply,
            expressions=lambda p: [p.note],
            check=record.check,
            listens_to=lambda p: [(("remind_on",), p.remind_on)] if p.remind_on else [],
            on_trigger=record.on_trigger,
            context=(ContextSource("stamps", record.summary),),
        )
    )
    yield record
    EFFECTS.pop("stamp")
    CONTEXT_SOURCES.pop("stamps")


@pytest.fixture
def stamped(db_engine, clock, tmp_path, stamps):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(STAMPED, rules / "stamped.yaml")
    return make_workflow(db_engine, clock, rules)


def test_a_registered_effect_runs_through_fire(stamped, stamps, people):
    created = stamped.create("stamped", people.applicant, {"headline": "Solar roofs"})
    app_id = created.application_id
    assert stamped.fire(app_id, "submit", people.applicant).ok
    assert stamps.applied == [(app_id, "Solar roofs")]
    finished = stamped.fire(app_id, "finish", people.applicant)  # its guard reads the kind's context
    assert finished.ok, finished.reason("en")
    assert stamps.triggered == [(app_id, "finish")]


def test_a_registered_effects_check_refuses_before_anything_is_written(stamped, stamps, people):
    created = stamped.create("stamped", people.applicant, {"headline": "refuse me"})
    result = stamped.fire(created.application_id, "submit", people.applicant)
    assert not result.ok and "stamp refused" in result.reason("en")
    assert stamps.applied == []


def test_the_checker_validates_a_registered_effect_through_the_kind(tmp_path, stamps):
    broken = tmp_path / "stamped.yaml"
    text = STAMPED.read_text(encoding="utf-8")
    broken.write_text(
        text.replace("remind_on: finish", "remind_on: finsh").replace("data.headline", "data.headlin"),
        encoding="utf-8",
    )
    messages = [p.message for p in load_file(broken, NoticeTemplates(TEMPLATES_DIR)).problems]
    assert "unknown trigger 'finsh'" in messages
    assert "expression names unknown field 'data.headlin'" in messages


def test_an_unregistered_effect_is_unknown():
    messages = [p.message for p in load_file(STAMPED, NoticeTemplates(TEMPLATES_DIR)).problems]
    assert "unknown effect 'stamp'" in messages
    assert any("unknown name 'stamps'" in m for m in messages)


ENGINE_MODULES = [
    *sorted((WORKFLOW_DIR / "engine").glob("*.py")),
    *sorted((WORKFLOW_DIR / "definitions").glob("*.py")),
    *sorted((WORKFLOW_DIR / "vocabulary").glob("*.py")),
]


@pytest.mark.parametrize("path", ENGINE_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_engine_imports_nothing_from_money(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        f"{node.module}.{alias.name}" if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [name for name in imported if name.startswith("workflow.money")]
    assert "tranches" not in path.read_text(encoding="utf-8")
