"""Forms generated from rule-file fields: every type, required/optional, each validator, both languages,
and random input never causes a server error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from forms.dynamic import WIDGETS, build_form, cleaned_values
from tests.web.conftest import csrf_of, login
from workflow.definitions.schema import FieldSpec
from workflow.vocabulary.fields import FIELD_TYPES


def spec(name, type_, **options) -> FieldSpec:
    return FieldSpec(name=name, type=type_, label={"ko": f"{name} 한글", "en": f"{name} English"}, **options)


SPECS = [
    spec("title", "text", required=True, min_length=2, max_length=10),
    spec("code", "text", pattern=r"^[A-Z]{3}$"),
    spec("story", "textarea", max_length=50, help={"ko": "도움말", "en": "Help text"}),
    spec("staff", "integer", min=0, max=100),
    spec("amount", "money", min=1000, max=5000000),
    spec("spent", "decimal", min=1, max=100000),
    spec("founded", "date"),
    spec(
        "sector",
        "choice",
        choices=[
            {"value": "a", "label": {"ko": "가", "en": "A"}},
            {"value": "b", "label": {"ko": "나", "en": "B"}},
        ],
    ),
    spec(
        "needs",
        "multi_choice",
        choices=[
            {"value": "x", "label": {"ko": "엑스", "en": "X"}},
            {"value": "y", "label": {"ko": "와이", "en": "Y"}},
        ],
    ),
    spec("local", "boolean", required=True),
    spec("mail", "email"),
    spec("phone", "phone"),
    spec("bizno", "business_no"),
    spec("plan", "file", accept=["pdf"], max_mb=1),
]


def test_every_field_type_has_a_widget():
    assert {t.widget for t in FIELD_TYPES.values()} <= set(WIDGETS)
    assert {s.type for s in SPECS} == set(FIELD_TYPES)


def _form(app, data: dict, lang="ko", strict=False):
    with app.test_request_context(method="POST", data=data):
        form = build_form(SPECS, lang, {}, MultiDict(data), strict=strict, meta={"csrf": False})
        form.validate()
        return form, cleaned_values(form)


VALID = {
    "title": "헬스온",
    "code": "ABC",
    "story": "짧은 설명",
    "staff": "12",
    "amount": "1,200,000",
    "spent": "1,250.4",
    "founded": "2023-04-01",
    "sector": "a",
    "needs": ["x", "y"],
    "local": "true",
    "mail": "ceo@healthon.kr",
    "phone": "010-1234-5678",
    "bizno": "123-45-67890",
}


def test_valid_values_are_cleaned_like_the_engine(app):
    data = MultiDict([(k, v) for k, vs in VALID.items() for v in (vs if isinstance(vs, list) else [vs])])
    form, values = _form(app, data)
    assert form.errors == {}
    assert values["amount"] == 1_200_000 and values["staff"] == 12 and values["local"] is True
    assert values["needs"] == ["x", "y"] and values["founded"] == "2023-04-01"
    assert values["spent"] == "1250.40"  # exact text, never a float


@pytest.mark.parametrize(
    ("field", "value", "ko", "en"),
    [
        ("title", "가", "2자 이상", "at least 2 characters"),
        ("title", "가" * 11, "10자 이하", "at most 10 characters"),
        ("code", "abc", "형식이 올바르지", "format is not valid"),
        ("staff", "many", "정수를", "whole number"),
        ("staff", "101", "100 이하", "at most 100"),
        ("amount", "999", "1,000 이상", "at least 1,000"),
        ("spent", "12.345", "소수점 이하 두 자리", "two decimal places"),
        ("spent", "100000.01", "100,000 이하", "at most 100,000"),
        ("founded", "2023-13-01", "YYYY-MM-DD", "YYYY-MM-DD"),
        ("sector", "zzz", "목록에서", "Choose from the list"),
        ("local", "maybe", "예 또는 아니오", "yes or no"),
        ("mail", "not-an-address", "이메일 주소", "valid e-mail"),
        ("phone", "12", "전화번호", "phone number"),
        ("bizno", "1234567890", "사업자등록번호", "business registration number"),
    ],
)
def test_each_validator_speaks_both_languages(app, field, value, ko, en):
    for lang, expected in (("ko", ko), ("en", en)):
        form, values = _form(app, {**{k: v for k, v in VALID.items() if k != "needs"}, field: value}, lang)
        assert field in form.errors and expected in " ".join(form.errors[field]), (lang, form.errors)
        assert field not in values


def test_required_only_when_strict(app):
    loose, values = _form(app, {"story": "draft"})
    assert "title" not in loose.errors and values == {
        "story": "draft",
        "code": None,
        "staff": None,
        "amount": None,
        "spent": None,
        "founded": None,
        "sector": None,
        "needs": None,
        "mail": None,
        "phone": None,
        "bizno": None,
        "plan": None,
    }
    strict, _ = _form(app, {"story": "draft"}, strict=True)
    assert "필수 항목" in strict.errors["title"][0] and "local" in strict.errors


def test_labels_help_and_required_flag_in_both_languages(app):
    with app.test_request_context():
        ko = build_form(SPECS, "ko", {})
        en = build_form(SPECS, "en", {})
        assert ko.title.label.text == "title 한글" and en.title.label.text == "title English"
        assert ko.story.description == "도움말" and en.story.description == "Help text"
        assert ko.title.flags.required and not ko.code.flags.required
        assert 'accept=".pdf"' in str(ko.plan())


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from([s.name for s in SPECS if s.type != "file"]), text))
def test_random_input_never_breaks_form_building(app, values):
    form, cleaned = _form(app, values)
    assert set(cleaned) <= {s.name for s in SPECS}


@pytest.fixture
def draft(app, web_people):
    workflow = app.extensions["workflow"]
    return workflow.create("startup-support", web_people.applicant, {}).application_id


STARTUP_FIELDS = [
    "company_name",
    "business_no",
    "representative",
    "contact_email",
    "contact_phone",
    "founded_on",
    "employees",
    "sector",
    "support_needs",
    "gangwon_based",
    "summary",
    "requested_amount",
    "own_cash",
    "in_kind",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from(STARTUP_FIELDS), text, max_size=6), submit=st.booleans())
def test_random_posts_to_the_real_form_never_give_a_500(app, web_people, draft, values, submit):
    client = app.test_client()
    login(client, web_people.applicant)
    page = client.get(f"/applications/{draft}/form")
    version = page.text.split('name="row_version" value="')[1].split('"')[0]
    data = {**values, "csrf_token": csrf_of(page.text), "row_version": version}
    if submit:
        data["action"] = "submit"
    response = client.post(f"/applications/{draft}/form", data=data)
    assert response.status_code in (200, 302)
    autosave = client.post(
        f"/applications/{draft}/autosave",
        data={**values, "csrf_token": data["csrf_token"], "row_version": version},
    )
    assert autosave.status_code in (200, 409)


def test_a_registered_field_type_gets_its_widget(app):
    from tests.engine.test_field_types import _postal_type
    from workflow.vocabulary.fields import register_field_type

    register_field_type(_postal_type())
    try:
        zip_spec = FieldSpec(name="zip", type="postal_code", label={"ko": "우편번호", "en": "Postal code"})
        with app.test_request_context():
            form = build_form([zip_spec], "ko", {"zip": "24341"}, meta={"csrf": False})
            assert 'value="24341"' in str(form.zip) and "우편번호" in str(form.zip.label)
    finally:
        FIELD_TYPES.pop("postal_code")
