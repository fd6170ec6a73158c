"""Field types are one registered object each: every type's samples hold, and a type registered by a
test module is checked, validated by fire and given a form widget without touching the engine."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import FIXTURES, TEMPLATES_DIR, make_workflow
from workflow.definitions.loader import load_file
from workflow.definitions.registry import NoticeTemplates
from workflow.definitions.schema import FieldSpec
from workflow.vocabulary.fields import FIELD_TYPES, FieldError, FieldType, clean_value, register_field_type

POSTAL = FIXTURES / "registries" / "postal.yaml"
CHOICES = [{"value": "a", "label": {"ko": "가", "en": "A"}}]


def spec_of(field_type: FieldType, **options) -> FieldSpec:
    if field_type.requires:
        options.setdefault("choices", CHOICES)
    return FieldSpec(name="f", type=field_type.name, label={"ko": "항목", "en": "Field"}, **options)


@pytest.mark.parametrize("name", sorted(FIELD_TYPES))
def test_every_type_keeps_its_sample_and_refuses_its_invalid_value(name):
    field_type = FIELD_TYPES[name]
    spec = spec_of(field_type)
    sample = field_type.sample(spec)
    assert clean_value(spec, sample) == sample, "the sample is a stored value the type keeps as it is"
    with pytest.raises(FieldError):
        clean_value(spec, field_type.invalid)
    assert field_type.display(sample) is not None
    assert field_type.show(sample, spec, "ko") and field_type.show(sample, spec, "en")


def test_pages_show_values_as_their_type_says():
    money, boolean, choice = FIELD_TYPES["money"], FIELD_TYPES["boolean"], FIELD_TYPES["choice"]
    spec = spec_of(choice)
    assert money.show(1_200_000, spec, "ko") == "1,200,000원"
    assert boolean.show(True, spec, "en") == "Yes" and boolean.show(False, spec, "ko") == "아니오"
    assert choice.show("a", spec, "ko") == "가" and choice.show("a", spec, "en") == "A"


def test_samples_follow_a_fields_bounds():
    money = FIELD_TYPES["money"]
    spec = spec_of(money, min=5_000_000, max=9_000_000)
    assert clean_value(spec, money.sample(spec)) == 5_000_000


def _postal(value, spec) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{5}", text):
        raise FieldError("pattern")
    return text


def _postal_type() -> FieldType:
    return FieldType("postal_code", _postal, frozenset(), "text", lambda spec: "24341", "2434")


@pytest.fixture
def postal_code():
    register_field_type(_postal_type())
    yield FIELD_TYPES["postal_code"]
    FIELD_TYPES.pop("postal_code")


def test_a_registered_type_is_validated_by_fire(db_engine, clock, people, tmp_path, postal_code):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(POSTAL, rules / "postal.yaml")
    workflow = make_workflow(db_engine, clock, rules)
    refused = workflow.create("postal", people.applicant, {"zip": "2434"})
    assert not refused.ok and "형식" in refused.reason("ko") and "format" in refused.reason("en")
    created = workflow.create("postal", people.applicant, {"zip": " 24341 "})
    assert created.ok
    assert workflow.fire(created.application_id, "submit", people.applicant).ok


def test_an_unregistered_type_is_refused_by_the_checker():
    messages = [p.message for p in load_file(POSTAL, NoticeTemplates(TEMPLATES_DIR)).problems]
    assert "unknown field type 'postal_code'" in messages
