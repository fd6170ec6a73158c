"""Hostile values at the engine's edge: control characters, non-ASCII digits, numbers beyond a type's
range, and a stored value that makes a guard fail to evaluate (a refusal naming the step, never a 500)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from tests.conftest import FIXTURES, make_workflow
from tests.engine.test_fire import assert_refused, counts
from workflow.definitions.schema import FieldSpec
from workflow.engine.actors import load_actor
from workflow.models import Application
from workflow.services.users import create_user
from workflow.vocabulary.fields import NUMBER_LIMITS, FieldError, clean_value


def spec(type_, **options) -> FieldSpec:
    return FieldSpec(name="f", type=type_, label={"ko": "항목", "en": "Item"}, **options)


@pytest.mark.parametrize(
    ("type_", "value", "code"),
    [
        ("text", "헬스\x00온", "control_characters"),
        ("text", "a\x1bb", "control_characters"),
        ("text", "two\nlines", "control_characters"),
        ("text", "c1\x85c", "control_characters"),
        ("textarea", "nul\x00", "control_characters"),
        ("textarea", "bell\x07", "control_characters"),
        ("email", "ceo\x00@healthon.kr", "control_characters"),
        ("phone", "010-1234-5678\x00", "control_characters"),
        ("business_no", "123-45-6789\x00", "control_characters"),
        ("integer", "²", "not_integer"),
        ("integer", "١٢", "not_integer"),
        ("integer", "1" * 400, "not_integer"),
        ("money", "١٢٠٠٠٠٠", "not_money"),
        ("money", "１２００", "not_money"),
        ("money", str(2**62), "above_max"),
        ("money", 2**62, "above_max"),
        ("money", -1, "below_min"),
        ("integer", 10**10, "above_max"),
        ("integer", -(10**10), "below_min"),
        ("business_no", "١٢٣-45-67890", "not_business_no"),
    ],
)
def test_hostile_values_are_field_errors(type_, value, code):
    with pytest.raises(FieldError) as refused:
        clean_value(spec(type_), value)
    assert refused.value.message.code == code
    assert refused.value.message.ko != refused.value.message.en


def test_textareas_keep_tabs_and_line_breaks():
    assert clean_value(spec("textarea"), "첫 줄\r\n둘째\t줄") == "첫 줄\r\n둘째\t줄"


def test_every_number_type_has_a_ceiling_that_rule_files_may_only_lower():
    highest = NUMBER_LIMITS["money"][1]
    assert clean_value(spec("money"), f"{highest:,}원") == highest
    with pytest.raises(FieldError) as refused:
        clean_value(spec("money"), highest + 1)
    assert "1,000,000,000,000" in refused.value.message.en
    assert clean_value(spec("money", max=5000), "5,000") == 5000
    with pytest.raises(FieldError):
        clean_value(spec("money", max=5000), "5,001")
    assert clean_value(spec("integer"), "-1000000000") == -1_000_000_000


def test_a_guard_that_cannot_be_evaluated_is_a_refusal_naming_the_step(db_engine, clock, people):
    workflow = make_workflow(
        db_engine, clock, FIXTURES / "valid"
    )  # mini: guard data.cash * 10 >= data.amount
    created = workflow.create("mini", people.applicant, {"amount": 1000, "cash": 100})
    app_id = created.application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    with workflow.db.begin() as connection:  # a value stored before the ceilings existed
        data = {"amount": 1000, "cash": 2**62}  # cash * 10 overflows the guard's 64-bit integers
        connection.execute(update(Application).where(Application.id == app_id).values(data=data))
    officer = _mini_officer(workflow)
    before = counts(workflow, app_id)
    result = workflow.fire(app_id, "approve", officer)
    assert_refused(result, "guard_error", before, workflow, app_id)
    for lang in ("ko", "en"):
        assert "'approve'" in result.reason(lang)
        assert "data." not in result.reason(lang) and "overflow" not in result.reason(lang).lower()


def _mini_officer(workflow):
    with workflow.db.begin() as connection:
        user_id = create_user(connection, "mini-officer@test.kr", "officer", roles=[("officer", "mini")])
    with workflow.db.connect() as connection:
        return load_actor(connection, user_id)
