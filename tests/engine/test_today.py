"""`application.today`: the workflow clock's date in Asia/Seoul as "YYYY-MM-DD", which a guard compares with a
date field as text (tests/engine/rules/completed-work.yaml: accepted once the work is done)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import make_workflow
from workflow.engine.context import seoul_today
from workflow.engine.records import read_application

ENGINE_RULES = Path(__file__).parent / "rules"


@pytest.fixture
def workflow(db_engine, clock):
    return make_workflow(db_engine, clock, ENGINE_RULES)


def _submit(workflow, people, completed_on: str):
    created = workflow.create("completed-work", people.applicant, {"completed_on": completed_on})
    assert created.ok, created.reason("en")
    return created.application_id, workflow.fire(created.application_id, "submit", people.applicant)


def _data(workflow, app_id) -> dict:
    with workflow.db.connect() as connection:
        row = read_application(connection, app_id)
    assert row is not None
    return dict(row.data)


def test_a_completion_date_of_today_or_before_passes_and_the_day_is_recorded(workflow, people, clock):
    assert clock.now == datetime(2026, 5, 4, 1, 0, tzinfo=UTC)  # 10:00 on 4 May in Seoul
    for day in ("2026-05-04", "2025-12-31"):
        app_id, result = _submit(workflow, people, day)
        assert result.ok and result.state == "received", result.reason("en")
        assert _data(workflow, app_id)["received_on"] == "2026-05-04"  # an effect reads it too


def test_a_completion_date_after_today_is_refused_with_the_files_message(workflow, people, clock):
    app_id, refused = _submit(workflow, people, "2026-05-05")
    assert not refused.ok and refused.refusal.code == "guard_failed"
    assert "완료일이 오늘 이후입니다" in refused.reason("ko")
    assert "completion date is in the future" in refused.reason("en")
    assert "received_on" not in _data(workflow, app_id)
    clock.advance(days=1)  # the next day the same application goes through
    assert workflow.fire(app_id, "submit", people.applicant).state == "received"


def test_today_is_the_date_in_seoul_not_in_utc(workflow, people, clock):
    clock.now = datetime(2026, 5, 4, 15, 30, tzinfo=UTC)  # still 4 May in UTC, 00:30 on 5 May in Seoul
    assert seoul_today(clock.now) == "2026-05-05"
    _app_id, result = _submit(workflow, people, "2026-05-05")
    assert result.ok, result.reason("en")
    clock.now = datetime(2026, 5, 4, 14, 59, tzinfo=UTC)  # 23:59 on 4 May in Seoul
    _app_id, refused = _submit(workflow, people, "2026-05-05")
    assert refused.refusal.code == "guard_failed"
