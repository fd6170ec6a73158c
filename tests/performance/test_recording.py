"""Indicators and the company profile are recorded when the collecting stage is submitted through fire()."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import submitted_startup
from tests.performance.helpers import closed_startup, fire, next_follow_up
from workflow.audit.verify import verify_all
from workflow.engine.timers import tick
from workflow.models import Application, Company, CompanyApplication, IndicatorValue, StateStay, Timer


def values(engine, app_id) -> dict:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                IndicatorValue.indicator, IndicatorValue.year, IndicatorValue.value, IndicatorValue.stage
            ).where(IndicatorValue.application_id == app_id)
        ).all()
    return {(r.indicator, r.year): (r.value, r.stage) for r in rows}


def test_submitting_the_application_records_the_company_profile(workflow, people, store, db_engine):
    app_id = submitted_startup(workflow, people, store, employees=57, region="wonju")
    with db_engine.connect() as connection:
        company = connection.execute(select(Company)).mappings().one()
        link = connection.execute(select(CompanyApplication)).mappings().one()
    assert company["business_no"] == "123-45-67890" and company["name"] == "헬스온 주식회사"
    assert (company["employees"], company["founded_year"], company["sector"], company["region"]) == (
        57,
        2023,
        "digital_therapeutics",
        "wonju",
    )
    assert (link["application_id"], link["company_id"]) == (app_id, company["id"])


def test_the_same_business_number_is_one_company_across_applications(workflow, people, store, db_engine):
    first = submitted_startup(workflow, people, store, employees=5)
    second = submitted_startup(workflow, people, store, employees=9, company_name="헬스온(주)")
    with db_engine.connect() as connection:
        companies = connection.execute(select(Company.name, Company.employees)).all()
        links = connection.execute(select(CompanyApplication.company_id)).scalars().all()
    assert companies == [("헬스온(주)", 9)]  # the latest submitted profile
    assert len(links) == 2 and len(set(links)) == 1 and first != second


def test_final_and_follow_up_reports_record_indicators_by_year(workflow, people, store, db_engine, clock):
    app_id = closed_startup(workflow, people, store, jobs=4, revenue=300_000_000)
    assert values(db_engine, app_id) == {
        ("jobs_created", 2026): (4, "final_report"),
        ("revenue", 2026): (300_000_000, "final_report"),
    }
    next_follow_up(workflow, clock, app_id, people, jobs=2, revenue=500_000_000, patents=3)
    recorded = values(db_engine, app_id)
    assert recorded[("jobs_created", 2027)] == (2, "follow_up_report")
    assert recorded[("patents_filed", 2027)] == (3, "follow_up_report")
    assert recorded[("revenue", 2026)] == (300_000_000, "final_report")
    with db_engine.connect() as connection:
        company_ids = set(connection.execute(select(IndicatorValue.company_id)).scalars())
        company_id = connection.execute(select(Company.id)).scalar_one()
    assert company_ids == {company_id}


def test_three_follow_ups_then_the_programme_closes(workflow, people, store, db_engine, clock):
    app_id = closed_startup(workflow, people, store)
    for year in range(3):
        next_follow_up(workflow, clock, app_id, people, jobs=year + 1)
    with db_engine.connect() as connection:
        state = connection.execute(select(Application.state).where(Application.id == app_id)).scalar_one()
        years = connection.execute(
            select(IndicatorValue.year, IndicatorValue.value)
            .where(IndicatorValue.indicator == "jobs_created")
            .order_by(IndicatorValue.year)
        ).all()
        assert verify_all(connection) == []
    assert state == "closed"
    assert [tuple(r) for r in years] == [(2026, 4), (2027, 1), (2028, 2), (2029, 3)]


def test_a_follow_up_report_is_reminded_like_any_deadline(workflow, people, store, db_engine, clock):
    app_id = closed_startup(workflow, people, store)
    clock.advance(days=366)
    tick(workflow)
    with db_engine.connect() as connection:
        state = connection.execute(select(Application.state).where(Application.id == app_id)).scalar_one()
        timers = connection.execute(
            select(Timer.kind, Timer.status).where(Timer.application_id == app_id, Timer.state == state)
        ).all()
    assert state == "follow_up_due_1"
    assert sorted(timers) == [("deadline", "pending"), ("reminder", "pending")]


def test_a_refused_report_records_nothing(workflow, people, store, db_engine, clock):
    app_id = closed_startup(workflow, people, store)
    clock.advance(days=366)
    tick(workflow)
    result = workflow.fire(app_id, "submit_follow_up", people.applicant, {"followup_jobs": 1})
    assert not result.ok
    assert all(year == 2026 for _, year in values(db_engine, app_id))


def test_each_state_left_is_one_stay_with_its_duration(workflow, people, store, db_engine, clock):
    app_id = submitted_startup(workflow, people, store)
    clock.advance(days=3, hours=2)
    fire(workflow, app_id, "pass_screening", people.officer)
    with db_engine.connect() as connection:
        stays = connection.execute(
            select(StateStay.state, StateStay.left_by, StateStay.seconds)
            .where(StateStay.application_id == app_id)
            .order_by(StateStay.id)
        ).all()
    assert [tuple(s) for s in stays] == [
        ("draft", "submit", 0),
        ("screening", "pass_screening", 3 * 86400 + 7200),
    ]
