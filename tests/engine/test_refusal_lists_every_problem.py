"""A refused step carries every problem of every stage it requires, not only the first stage's."""

from __future__ import annotations

from tests.conftest import FIXTURES, make_workflow


def test_a_step_requiring_two_stages_lists_the_problems_of_both(db_engine, clock, people, tmp_path):
    text = (FIXTURES / "valid" / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "states:",
        "  budget:\n"
        "    title: {ko: 예산, en: Budget}\n"
        "    editable_in: [draft]\n"
        "    fields:\n"
        "      - {name: plan, type: text, required: true, label: {ko: 계획, en: Plan}}\n"
        "      - {name: email, type: email, label: {ko: 이메일, en: E-mail}}\n"
        "states:",
    ).replace("requires: [form]", "requires: [form, budget]")
    (tmp_path / "mini.yaml").write_text(text, encoding="utf-8")
    workflow = make_workflow(db_engine, clock, tmp_path)
    created = workflow.create("mini", people.applicant, {"amount": 1000})
    refused = workflow.fire(created.application_id, "submit", people.applicant)
    assert not refused.ok
    assert set(refused.errors) == {"cash", "plan"}  # the first stage's and the second's
    detail = refused.refusal.text("ko")
    assert "현금" in detail and "계획" in detail
