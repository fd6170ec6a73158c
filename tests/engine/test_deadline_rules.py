"""Deadlines from the application's data (a duration, a start date or the date itself) and in business days
with Korean public holidays; the regulation-exception term the officer enters decides the expiry."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import FIXTURES, RULES_DIR, People, make_workflow
from tests.engine.test_timers import RAPID, state
from workflow.definitions.dates import add_business_days, add_months, is_business_day
from workflow.definitions.loader import load_file
from workflow.engine.actors import load_actor
from workflow.engine.timers import tick
from workflow.models import HistoryEvent, Timer
from workflow.services.users import create_user

SEOUL = ZoneInfo("Asia/Seoul")
CAPABILITIES = FIXTURES / "capabilities"


def pending_timers(workflow, app_id) -> dict[str, datetime]:
    """kind -> due moment in Seoul, of the application's pending timers."""
    with workflow.db.connect() as connection:
        rows = connection.execute(
            select(Timer.kind, Timer.due_at).where(Timer.application_id == app_id, Timer.status == "pending")
        ).all()
    return {kind: due.astimezone(SEOUL) for kind, due in rows}


def seoul(*parts) -> datetime:
    return datetime(*parts, tzinfo=SEOUL)


def officer_of(workflow, key: str):
    with workflow.db.begin() as connection:
        user_id = create_user(connection, f"officer-{key}@test.kr", "officer", roles=[("officer", key)])
    with workflow.db.connect() as connection:
        return load_actor(connection, user_id)


# the shipped regulation-exception file --------------------------------------------------------
@pytest.fixture
def workflow(db_engine, clock):
    return make_workflow(db_engine, clock, RULES_DIR)


@pytest.fixture
def people(db_engine) -> People:
    return People(db_engine, programs_dir=RULES_DIR)


def in_committee(workflow, people) -> int:
    created = workflow.create(
        "regulation-exception", people.applicant, {**RAPID, "track": "temporary_permit"}
    )
    app_id = created.application_id
    for trigger, actor in (("submit", people.applicant), ("route", people.officer)):
        assert workflow.fire(app_id, trigger, actor).ok
    assert workflow.fire(app_id, "refer_to_committee", people.officer).ok
    return app_id


def test_a_two_year_exception_expires_two_years_after_it_takes_effect(workflow, people):
    app_id = in_committee(workflow, people)
    granted = workflow.fire(
        app_id, "grant", people.officer, data={"term_years": 2, "effective_from": "2026-06-01"}
    )
    assert granted.ok, granted.reason("en")
    timers = pending_timers(workflow, app_id)
    assert timers["deadline"] == seoul(2028, 6, 1, 0, 0), "the term entered, not four years"
    assert timers["reminder"] == seoul(2028, 3, 3, 0, 0)  # 90 days before


def test_an_extension_runs_from_the_same_day_for_the_granted_term_plus_the_extension(workflow, people, clock):
    app_id = in_committee(workflow, people)
    data = {"term_years": 1, "effective_from": "2026-06-01"}
    assert workflow.fire(app_id, "grant", people.officer, data=data).ok
    clock.advance(days=200)
    assert workflow.fire(app_id, "request_extension", people.applicant, data={"extension_years": 2}).ok
    assert workflow.fire(app_id, "grant_extension", people.officer).ok
    assert pending_timers(workflow, app_id)["deadline"] == seoul(2029, 6, 1, 0, 0)


def test_the_term_ends_when_the_granted_years_are_over(workflow, people, clock):
    app_id = in_committee(workflow, people)
    assert workflow.fire(
        app_id, "grant", people.officer, data={"term_years": 1, "effective_from": "2026-05-04"}
    ).ok
    clock.now = seoul(2027, 5, 3, 23, 59)
    assert [o.detail for o in tick(workflow)] == ["notice term_ending"]  # only the reminder is due
    clock.now = seoul(2027, 5, 4, 0, 0)
    assert [o.status for o in tick(workflow)] == ["fired"] and state(workflow, app_id) == "expired"


# the fixture program: business days, a date from data, months from a start date ---------------
@pytest.fixture
def permits(db_engine, clock, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(CAPABILITIES / "term-permit.yaml", rules / "term-permit.yaml")
    return make_workflow(db_engine, clock, rules)


def submitted(workflow, people, clock, moment: datetime) -> int:
    clock.now = moment
    app_id = workflow.create("term-permit", people.applicant, {"company_name": "하늘바이오"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    return app_id


def test_business_days_skip_weekends_and_korean_public_holidays(permits, people, clock):
    # Friday 2026-09-18; Chuseok 2026 is Thu 24 to Sat 26 September (the 26th a Saturday)
    app_id = submitted(permits, people, clock, seoul(2026, 9, 18, 9, 0))
    due = pending_timers(permits, app_id)["deadline"]
    counted = [d for d in (date(2026, 9, 18 + n) for n in range(1, 13)) if is_business_day(d)]
    assert date(2026, 9, 24) not in counted and date(2026, 9, 25) not in counted
    # 21-23 and 28-30 September, 1-2 October, then 5 October is 개천절's substitute holiday: 6-7 October
    assert not is_business_day(date(2026, 10, 5)), "a substitute holiday from the calendar"
    assert due == seoul(2026, 10, 7, 18, 0)


def test_calendar_arithmetic():
    assert add_business_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # 1 Jan, then the weekend
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


def test_a_date_from_the_data_is_the_deadline_and_tick_fires_on_it(permits, people, clock):
    officer = officer_of(permits, "term-permit")
    app_id = submitted(permits, people, clock, seoul(2026, 5, 4, 10, 0))
    assert permits.fire(app_id, "schedule", officer, data={"hearing_on": "2026-07-15"}).ok
    assert pending_timers(permits, app_id)["deadline"] == seoul(2026, 7, 15, 10, 0)
    clock.now = seoul(2026, 7, 15, 9, 59)
    assert tick(permits) == []
    clock.now = seoul(2026, 7, 15, 10, 0)
    assert [o.status for o in tick(permits)] == ["fired"] and state(permits, app_id) == "deciding"


def test_months_from_a_start_date_in_the_data(permits, people, clock):
    officer = officer_of(permits, "term-permit")
    app_id = submitted(permits, people, clock, seoul(2026, 5, 4, 10, 0))
    assert permits.fire(app_id, "schedule", officer, data={"hearing_on": "2026-05-10"}).ok
    assert permits.fire(app_id, "hold_hearing", officer).ok
    assert permits.fire(app_id, "grant", officer, data={"term_months": 3, "starts_on": "2026-08-31"}).ok
    timers = pending_timers(permits, app_id)
    assert timers["deadline"] == seoul(2026, 11, 30, 0, 0)  # 31 August + 3 months: the month's last day
    assert timers["reminder"] == seoul(2026, 10, 31, 0, 0)


def test_a_deadline_whose_values_are_missing_refuses_the_move_and_writes_nothing(permits, people, clock):
    admin = people.admin
    app_id = submitted(permits, people, clock, seoul(2026, 5, 4, 10, 0))
    with permits.db.connect() as connection:
        before = connection.execute(select(func.count()).select_from(HistoryEvent)).scalar_one()
    result = permits.admin_move(app_id, "in_effect", admin, reason="시험")
    assert not result.ok and result.refusal.code == "deadline_unset"
    assert "허가 중" in result.reason("ko") and "허가기간(개월), 시작일" in result.reason("ko")
    assert "In effect" in result.reason("en") and "Term (months), Starts on" in result.reason("en")
    with permits.db.connect() as connection:
        after = connection.execute(select(func.count()).select_from(HistoryEvent)).scalar_one()
    assert after == before and state(permits, app_id) == "screening"


# the checker -----------------------------------------------------------------------------------
def problems_of(tmp_path, replace: tuple[str, str]) -> list[str]:
    text = (CAPABILITIES / "term-permit.yaml").read_text(encoding="utf-8")
    assert replace[0] in text
    path = tmp_path / "term-permit.yaml"
    path.write_text(text.replace(*replace), encoding="utf-8")
    return [str(p) for p in load_file(path, lambda *_: True).problems]


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        (
            ("months: data.term_months", "months: data.starts_on"),
            "states.in_effect.deadline.months: should give a whole number, but this one gives text (hint: e.g. months: 6",
        ),
        (
            ("date: data.hearing_on", "date: data.company_name"),
            "deadline.date: should give a date, but this one gives text",
        ),
        (
            ("date: data.hearing_on", "date: data.hearing_day"),
            "expression names unknown field 'data.hearing_day'",
        ),
        (
            ("business_days: 10", "business_days: reviews.count"),
            "a deadline reads only data.* (the values when the state is entered), not 'reviews'",
        ),
        (
            ("business_days: 10", "business_days: soon"),
            "states.screening.deadline.business_days: should be a whole number or an expression giving one",
        ),
        (("business_days: 10", "business_days: 10, days: 3"), "exactly one of days, business_days, months"),
        (
            ("date: data.hearing_on,", "date: data.hearing_on, from: data.hearing_on,"),
            "with date: counts from",
        ),
    ],
)
def test_the_checker_refuses_a_deadline_that_cannot_work(tmp_path, replace, expected):
    problems = problems_of(tmp_path, replace)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("term-permit.yaml:") or "/term-permit.yaml:" in p for p in problems), problems


def test_the_fixture_and_the_shipped_regulation_exception_file_are_valid(tmp_path):
    for path in (
        CAPABILITIES / "term-permit.yaml",
        RULES_DIR / "regulation-exception.yaml",
    ):
        result = load_file(path, lambda *_: True)
        assert result.ok, [str(p) for p in result.problems]
