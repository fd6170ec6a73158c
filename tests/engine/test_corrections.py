"""Edit rights per state and role: a stage's `corrections:` let named roles correct it in named states, with a
reason, as one version-checked history event whose diff shows each value before and after."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import FIXTURES, People, make_workflow, rules_folder
from workflow.audit.verify import Scope, verify
from workflow.definitions.loader import load_file
from workflow.models import Application, HistoryEvent

FIXTURE = FIXTURES / "capabilities" / "corrected-grant.yaml"
KEY = "corrected-grant"
DATA = {"company_name": "하늘바이오", "requested_amount": 20_000_000, "contact_email": "a@sky.kr"}


@pytest.fixture
def rules(tmp_path):
    return rules_folder(tmp_path, FIXTURE)


@pytest.fixture
def grants(db_engine, clock, rules):
    return make_workflow(db_engine, clock, rules)


@pytest.fixture
def people(db_engine, rules) -> People:
    return People(db_engine, programs_dir=rules)


def submitted(workflow, people) -> int:
    app_id = workflow.create(KEY, people.applicant, DATA).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    return app_id


def events(workflow, app_id) -> list[dict]:
    with workflow.db.connect() as connection:
        return [
            dict(e)
            for e in connection.execute(
                select(HistoryEvent).where(HistoryEvent.application_id == app_id).order_by(HistoryEvent.seq)
            ).mappings()
        ]


def count(workflow) -> int:
    with workflow.db.connect() as connection:
        return connection.execute(select(func.count()).select_from(HistoryEvent)).scalar_one()


def test_the_officer_corrects_the_form_in_screening_with_a_reason_and_the_diff_is_in_the_history(
    grants, people
):
    app_id = submitted(grants, people)
    result = grants.correct(
        app_id, "application", people.officer, {"requested_amount": "15,000,000"}, "계산 오류 정정"
    )
    assert result.ok, result.reason("en")
    last = events(grants, app_id)[-1]
    assert (last["trigger"], last["from_state"], last["to_state"]) == ("correct", "screening", "screening")
    assert last["reason"] == "계산 오류 정정" and last["actor_roles"] == ["officer"]
    assert last["diff"] == {"requested_amount": [20_000_000, 15_000_000]} and last["detail"] == {
        "stage": "application"
    }
    with grants.db.connect() as connection:
        data = connection.execute(select(Application.data).where(Application.id == app_id)).scalar_one()
        assert data["requested_amount"] == 15_000_000
        assert verify(connection, Scope(program=KEY)).ok, "the chain and the row agree"
    assert grants.registry.latest(KEY).trigger_label("correct") == {
        "ko": "담당자 정정",
        "en": "Corrected by staff",
    }


def test_only_the_named_roles_in_the_named_states(grants, people):
    app_id = submitted(grants, people)
    before = count(grants)
    for who in (people.applicant, people.finance, people.auditor):
        refused = grants.correct(app_id, "application", who, {"company_name": "다른 회사"}, "정정")
        assert not refused.ok and refused.refusal.code in ("not_correctable", "not_your_application"), who
    refused = grants.correct(app_id, "application", people.applicant, {"company_name": "다른 회사"}, "정정")
    assert "정정할 권한이 없습니다" in refused.reason(
        "ko"
    ) and "You may not correct 'Application'" in refused.reason("en")
    assert grants.fire(app_id, "start_review", people.officer).ok
    assert grants.correct(
        app_id, "application", people.officer, {"company_name": "하늘바이오(주)"}, "상호 정정"
    ).ok
    assert grants.fire(app_id, "approve", people.officer).ok
    assert not grants.correct(app_id, "application", people.officer, {"company_name": "X"}, "정정").ok
    assert grants.correct(
        app_id, "application", people.finance, {"contact_email": "pay@sky.kr"}, "담당자 변경"
    ).ok
    assert (
        count(grants) == before + 4
    )  # start_review, the officer's correction, approve, finance's correction


def test_no_reason_an_invalid_value_an_emptied_required_field_or_no_change_is_refused_and_writes_nothing(
    grants, people
):
    app_id = submitted(grants, people)
    before = count(grants)
    cases = [
        ({"company_name": "새 이름"}, " ", "reason_required"),
        ({"contact_email": "not-an-email"}, "정정", "invalid_data"),
        ({"company_name": None}, "정정", "invalid_data"),  # "기업명: 필수 항목입니다."
        ({"company_name": "하늘바이오"}, "정정", "correction_unchanged"),
        ({"no_such_field": "x"}, "정정", "unknown_field"),
    ]
    for values, reason, code in cases:
        result = grants.correct(app_id, "application", people.officer, values, reason)
        assert not result.ok and result.refusal.code == code, (values, result.refusal)
    assert not grants.correct(app_id, "no_stage", people.officer, {"x": 1}, "정정").ok
    assert count(grants) == before


def test_a_stale_page_is_refused_naming_who_changed_it(grants, people):
    app_id = submitted(grants, people)
    with grants.db.connect() as connection:
        opened = connection.execute(
            select(Application.row_version).where(Application.id == app_id)
        ).scalar_one()
    assert grants.correct(
        app_id, "application", people.officer, {"company_name": "가"}, "1차 정정", opened
    ).ok
    late = grants.correct(app_id, "application", people.officer, {"company_name": "나"}, "2차 정정", opened)
    assert not late.ok and late.refusal.code == "stale"
    assert "담당자 정정" in late.reason("ko")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("in: [screening, in_review]", "in: [screening, in_reveiw]", "unknown state 'in_reveiw'"),
        ("roles: [finance]", "roles: [auditor]", "role 'auditor' only reads; it cannot fire transitions"),
        ("roles: [finance]", "roles: [ministry]", "unknown role 'ministry'"),
    ],
)
def test_the_checker_refuses_a_correction_naming_an_unknown_state_or_role(tmp_path, old, new, expected):
    path = tmp_path / FIXTURE.name
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    problems = [str(p) for p in load_file(path, lambda *_: True).problems]
    assert any(expected in p and "corrected-grant.yaml:1" in p for p in problems), problems
