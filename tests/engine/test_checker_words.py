"""The checker speaks plainly: what is wrong, the key as the author wrote it, and the shape expected."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from tests.conftest import FIXTURES, TEMPLATES_DIR
from workflow.definitions import schema
from workflow.definitions.loader import load_text
from workflow.definitions.registry import NoticeTemplates
from workflow.definitions.wording import EXAMPLES

LIBRARY_WORDS = ("Input should", "validation error", "constrained", "expecting {", "Field required", "loc")

BAD = """key: bad-one
version: "1"
kind: event
title: {ko: 나쁨, en: Bad}
open: {from: 2026-13-01, until: 2026-04-30}
roles: [applicant, officer]
stages:
  form:
    title: {ko: 양식, en: Form}
    editable_in: [draft]
    fields:
      - {name: Amount, type: money, label: {ko: 금액, en: Amount}}
      - {name: kind, type: choice, choices: [a, b], label: {ko: 종류, en: Kind}}
states:
  draft: {initial: true, deadline: {days: soon, on_expiry: {notify: officer}}}
  review: {}
  done: {final: true}
transitions:
  - {trigger: submit, from: draft, to: review, roles: applicant}
  - {trigger: approve, from: 5, to: done, roles: [officer], reason: maybe}
  - {trigger: close, from: review, to: done, roles: [officer], effects: [{recover: {amount: data.x, full: true}}]}
"""


def _problems(text: str) -> list[str]:
    result = load_text(text, "bad.yaml", NoticeTemplates(TEMPLATES_DIR))
    assert result.program is None
    return [str(p) for p in result.problems]


def test_schema_errors_name_the_key_by_trigger_and_show_the_shape_expected():
    problems = "\n".join(_problems(BAD))
    for words in LIBRARY_WORDS:
        assert words not in problems
    assert "transitions[submit].roles: should be a list (hint: e.g. roles: [applicant, officer])" in problems
    assert "transitions[approve].reason: should be one of 'required' or 'optional'" in problems
    assert "stages.form.fields[kind].choices[#1]: should be a mapping (key: value)" in problems
    assert "{value: seoul, label: {ko: 서울, en: Seoul}}" in problems
    assert "fields[Amount].name: should be a name of lowercase letters" in problems
    assert "states.draft.deadline.days: should be a whole number or an expression giving one" in problems
    assert "(hint: e.g. days: 14, or days: data.review_days)" in problems
    assert "open.from: should be a date (hint: write it as YYYY-MM-DD" in problems, "not a crash"
    assert (
        "effect 'recover': give either amount, full: true or share (hint: see the effect 'recover'"
        in problems
    )


def test_every_problem_is_printed_once():
    problems = _problems(BAD)
    assert len(problems) == len(set(problems))
    on_line_20 = [p for p in problems if p.startswith("bad.yaml:20:")]
    assert len(on_line_20) == 2, on_line_20  # 'from: 5' (one, not one per union member) and 'reason'


def test_a_guard_that_does_not_parse_says_what_to_write_instead():
    text = (FIXTURES / "valid" / "mini.yaml").read_text(encoding="utf-8")
    broken = text.replace("guard: data.cash * 10 >= data.amount", "guard: data.cash > 0 and data.amount > 0")
    (problem,) = _problems(broken)
    assert "expression does not parse: 'and' is not CEL" in problem and "write &&" in problem
    assert "expecting" not in problem and "NUM_FLOAT" not in problem


@pytest.mark.parametrize(
    ("guard", "says"),
    [
        ("data.region == 'seoul", "a text in quotes is not closed"),
        ('data.region == "seoul', "a text in quotes is not closed"),
        ("data.cash > 0 ? true", "a choice is missing a part"),
        ("data.cash[", "a [ is not closed"),
        ("data.cash =~ 1", "unexpected '=~'"),
    ],
)
def test_a_broken_guard_is_told_in_plain_words_not_the_parsers(guard, says):
    text = (FIXTURES / "valid" / "mini.yaml").read_text(encoding="utf-8")
    quoted = "'" + guard.replace("'", "''") + "'"
    (problem,) = _problems(text.replace("guard: data.cash * 10 >= data.amount", f"guard: {quoted}"))
    assert f"expression does not parse: {says}" in problem
    for words in ("Incomplete", "Context", "token recognition", "unexpected ''"):
        assert words not in problem


def test_a_second_unguarded_transition_points_at_the_first_by_line_not_index():
    (problem,) = [
        p for p in _problems((FIXTURES / "broken" / "duplicate_unguarded.yaml").read_text()) if "second" in p
    ]
    assert "(the first is on line" in problem and "transitions[" not in problem


def test_a_transition_nothing_can_ever_fire_is_a_problem():
    text = (FIXTURES / "valid" / "mini.yaml").read_text(encoding="utf-8")
    stuck = text.replace(
        "notices:", "  - {trigger: nudge, from: review, to: rejected, roles: [system]}\nnotices:"
    )
    (problem,) = _problems(stuck)
    assert "transition 'nudge' can never fire" in problem and "on_expiry: {fire: nudge}" in problem
    fired_by_deadline = stuck.replace(
        "  review: {}", "  review: {deadline: {days: 3, on_expiry: {fire: nudge}}}"
    )
    automatic = text.replace(
        "notices:",
        "  - {trigger: nudge, from: review, to: rejected, roles: [system], auto: true,"
        " guard: 'data.cash < 0', guard_message: {ko: 음수, en: negative}}\nnotices:",
    )
    for ok in (fired_by_deadline, automatic):
        assert load_text(ok, "ok.yaml", NoticeTemplates(TEMPLATES_DIR)).ok


SHAPES = [name for name in EXAMPLES if hasattr(schema, name)]


@pytest.mark.parametrize("name", SHAPES)
def test_every_example_the_checker_shows_is_itself_valid(name):
    """An author copies the hint's example: it must load (`[...]` stands for the author's own items)."""
    model = getattr(schema, name)
    keys = {info.alias or field for field, info in model.model_fields.items()}
    for example in EXAMPLES[name].replace("  or  ", " or ").split(" or "):
        value = yaml.safe_load(example.replace("[...]", "OWN"))
        if len(value) == 1 and not set(value) & keys:
            (value,) = value.values()  # "open: {...}": the key, then the shape
        own = {key for key, item in value.items() if item == "OWN"}
        try:
            model.model_validate({key: item for key, item in value.items() if key not in own})
        except ValidationError as error:
            left_out = [e for e in error.errors() if e["type"] == "missing" and e["loc"][0] in own]
            assert left_out == error.errors(), (example, error)


def test_an_unknown_key_is_compared_with_the_keys_of_its_own_place():
    text = (FIXTURES / "valid" / "mini.yaml").read_text(encoding="utf-8")
    (problem,) = _problems(
        text.replace("title: {ko: 미니, en: Mini}", "title: {ko: 미니, en: Mini, fr: Mini}")
    )
    assert "unknown key 'fr' (hint: keys here: en, ko)" in problem, "not 'did you mean from?'"
    (problem,) = _problems(text.replace("budget: {total: 10000000}", "budget: {total: 10000000, totl: 3}"))
    assert "unknown key 'totl' (hint: did you mean 'total'?)" in problem
