"""Stage totals (`totals:`): the same share limits the form shows live refuse a submit, as field errors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES, make_workflow
from workflow.definitions.schema import StageSpec
from workflow.engine.totals import percent_text, stage_totals, total_problems

TOTALS = (
    "    totals:\n"
    "      - label: {ko: 총사업비, en: Total cost}\n"
    "        sum: [amount, cash]\n"
    "        shares:\n"
    "          - {field: amount, max_percent: 75, label: {ko: 정부지원금, en: Grant}}\n"
    "          - {field: cash, min_percent: 25, label: {ko: 현금, en: Cash}}\n"
    "states:"
)


def _workflow(db_engine, clock, tmp_path):
    text = (FIXTURES / "valid" / "mini.yaml").read_text(encoding="utf-8").replace("states:", TOTALS, 1)
    (tmp_path / "mini.yaml").write_text(text, encoding="utf-8")
    return make_workflow(db_engine, clock, tmp_path)


def test_a_share_above_its_limit_refuses_the_submit_with_a_field_error(db_engine, clock, people, tmp_path):
    workflow = _workflow(db_engine, clock, tmp_path)
    created = workflow.create("mini", people.applicant, {"amount": 8_000_000, "cash": 2_000_000})
    refused = workflow.fire(created.application_id, "submit", people.applicant)
    assert not refused.ok and set(refused.errors) == {"amount", "cash"}
    assert (
        refused.errors["amount"].text("ko") == "정부지원금 비율이 총사업비의 80%입니다. 75% 이하여야 합니다."
    )
    assert refused.errors["cash"].text("en") == "Cash: 20% of Total cost — at least 25% is required."
    assert "금액, 현금" in refused.refusal.text("ko")  # the refusal names both fields


def test_shares_exactly_at_their_limits_pass(db_engine, clock, people, tmp_path):
    workflow = _workflow(db_engine, clock, tmp_path)
    created = workflow.create("mini", people.applicant, {"amount": 7_500_000, "cash": 2_500_000})
    assert workflow.fire(created.application_id, "submit", people.applicant).ok


def test_a_draft_save_is_never_refused_for_a_share(db_engine, clock, people, tmp_path):
    workflow = _workflow(db_engine, clock, tmp_path)
    created = workflow.create("mini", people.applicant, {})
    assert workflow.save_draft(created.application_id, people.applicant, {"amount": 9_000_000, "cash": 1}).ok


STAGE = StageSpec.model_validate(
    {
        "title": {"ko": "t", "en": "t"},
        "editable_in": ["draft"],
        "fields": [
            {"name": "a", "type": "money", "label": {"ko": "a", "en": "a"}},
            {"name": "b", "type": "money", "label": {"ko": "b", "en": "b"}},
        ],
        "totals": [
            {
                "label": {"ko": "합계", "en": "Total"},
                "sum": ["a", "b"],
                "shares": [{"field": "a", "max_percent": 62.5, "label": {"ko": "a", "en": "a"}}],
            }
        ],
    }
)


def test_the_total_waits_for_every_summed_field():
    (view,) = stage_totals(STAGE, {"a": 5})
    assert view.amount is None and view.shares[0].percent is None and not total_problems(STAGE, {"a": 5})


@given(st.integers(0, 10**12), st.integers(0, 10**12))
def test_the_limit_is_decided_exactly_not_by_the_rounded_percentage(a, b):
    (view,) = stage_totals(STAGE, {"a": a, "b": b})
    assert view.amount == a + b
    if a + b == 0:
        assert not total_problems(STAGE, {"a": a, "b": b})
    else:
        over = a * 1000 > (a + b) * 625
        assert ("a" in total_problems(STAGE, {"a": a, "b": b})) is over


def test_percentages_read_as_people_write_them():
    assert [percent_text(v) for v in (75, 75.0, 62.5, 76.923)] == ["75", "75", "62.5", "76.9"]
