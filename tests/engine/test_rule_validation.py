"""Every validation rule has a broken fixture; each must be reported with its line and a clear message.

A fixture's first lines say what is expected: `# expect: LINE: text`, LINE counted in the rule body
below the expectation comments.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import FIXTURES, RULES_DIR, TEMPLATES_DIR
from workflow.definitions.loader import load_file
from workflow.definitions.registry import DefinitionRegistry, NoticeTemplates

BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (.+)$")


def expectations(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [EXPECT.match(line) for line in lines]
    header = sum(1 for m in found if m)
    return [(int(m[1]) + header, m[2]) for m in found if m]


def test_the_valid_fixture_loads():
    result = load_file(FIXTURES / "valid" / "mini.yaml", NoticeTemplates(TEMPLATES_DIR))
    assert result.ok, [str(p) for p in result.problems]


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_fixture_reports_line_and_message(path):
    result = load_file(path, NoticeTemplates(TEMPLATES_DIR))
    assert result.program is None, "a broken file must never load"
    reported = [(p.line, p.message) for p in result.problems]
    for line, text in expectations(path):
        assert any(line == got_line and text in message for got_line, message in reported), (
            f"expected line {line}: {text!r}; got {reported}"
        )
    for problem in result.problems:
        assert str(problem).startswith(f"{path}:{problem.line}:{problem.column}: ")


def test_every_problem_is_reported_at_once(tmp_path):
    text = (FIXTURES / "valid" / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace("to: review, roles: [applicant]", "to: reveiw, roles: [applicant]")
    text = text.replace("roles: [officer]\n    guard", "roles: [oficer]\n    guard")
    text = text.replace("template: received", "template: nothing_here")
    path = tmp_path / "many.yaml"
    path.write_text(text, encoding="utf-8")
    messages = " | ".join(p.message for p in load_file(path, NoticeTemplates(TEMPLATES_DIR)).problems)
    for expected in ("unknown state 'reveiw'", "unknown role 'oficer'", "no template 'nothing_here'"):
        assert expected in messages


def test_typos_get_a_hint():
    result = load_file(FIXTURES / "broken" / "unknown_key.yaml", NoticeTemplates(TEMPLATES_DIR))
    assert any("did you mean 'deadline'?" in p.hint for p in result.problems)
    result = load_file(FIXTURES / "broken" / "unknown_state.yaml", NoticeTemplates(TEMPLATES_DIR))
    assert any("did you mean 'review'?" in p.hint for p in result.problems)


def test_a_broken_file_does_not_affect_the_others(tmp_path):
    for source in RULES_DIR.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(
        (FIXTURES / "broken" / "unknown_state.yaml").read_text(encoding="utf-8")
    )
    registry = DefinitionRegistry(tmp_path, TEMPLATES_DIR)
    registry.load()
    assert set(registry.current) == {path.stem for path in RULES_DIR.glob("*.yaml")}
    assert {p.file for p in registry.problems} == {str(tmp_path / "broken.yaml")}


def test_shipped_rule_files_are_valid():
    registry = DefinitionRegistry(RULES_DIR, TEMPLATES_DIR)
    registry.load()
    assert registry.problems == []
    assert {"startup-support", "regulation-exception"} <= set(registry.current)


def test_guards_are_never_python(tmp_path):
    text = (FIXTURES / "valid" / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace("guard: data.cash * 10 >= data.amount", "guard: __import__('os').system('true')")
    path = tmp_path / "evil.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_file(path, NoticeTemplates(TEMPLATES_DIR))
    assert result.program is None
    assert any("expression does not parse" in p.message or "unknown" in p.message for p in result.problems)
