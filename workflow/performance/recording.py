"""Recording what the dashboard adds up, in the transition's own transaction:

- a state stay (application, state, entered, left, by which trigger) each time an application leaves a
  state — the summary behind median and 90th-percentile days per state, withdrawals and lapses;
- when a transition `requires:` a stage, the company profile (if that stage holds the fields the rule
  file's `company:` names) and every indicator that stage collects (`indicators: ... collected_in:`).

Which fields are the business number or an indicator is the rule file's say; nothing here names one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from workflow.engine import prepared
from workflow.engine.batch import Rows
from workflow.models import Application, Company, CompanyApplication, FunnelMark, IndicatorValue, StateStay

if TYPE_CHECKING:
    from workflow.engine.records import ApplicationRow

SEOUL = ZoneInfo("Asia/Seoul")
STAYS, COMPANIES, LINKS, VALUES, MARKS = (
    m.__table__ for m in (StateStay, Company, CompanyApplication, IndicatorValue, FunnelMark)
)
STARTED = select(Application.created_at).where(Application.id == bindparam("application_id"))
COMPANY_OF = select(LINKS.c.company_id).where(LINKS.c.application_id == bindparam("application_id"))
UPDATE_VALUE = (
    update(VALUES)
    .where(
        VALUES.c.application_id == bindparam("b_application_id"),
        VALUES.c.indicator == bindparam("b_indicator"),
        VALUES.c.year == bindparam("b_year"),
    )
    .values(
        value=bindparam("value"),
        stage=bindparam("stage"),
        company_id=bindparam("company_id"),
        event_seq=bindparam("event_seq"),
        recorded_at=bindparam("recorded_at"),
    )
)
PROFILE_COLUMNS = ("name", "employees", "founded_year", "sector", "region")


def stay_rows(
    connection, program, application: ApplicationRow, to_state: str, trigger: str, now: datetime
) -> list[Rows]:
    """The rows a move out of the application's state writes with it (engine/batch.py): the stay in the
    state left; and the funnel outcome its trigger means, if any (once)."""
    entered = application.state_entered_at or now
    parts = [
        Rows(
            STAYS,
            [
                {
                    "application_id": application.id,
                    "program_key": application.program_key,
                    "state": application.state,
                    "left_by": trigger,
                    "entered_at": entered,
                    "left_at": now,
                    "seconds": max(0, int((now - entered).total_seconds())),
                }
            ],
        )
    ]
    outcome = funnel_outcomes(program).get(trigger)
    if outcome is not None:
        started = (
            application.created_at
            or connection.execute(STARTED, {"application_id": application.id}).scalar_one()
        )
        mark = {
            "application_id": application.id,
            "outcome": outcome,
            "program_key": application.program_key,
            "created_at": started,
        }
        parts.append(Rows(MARKS, [mark], ignore_duplicates=True))
    return parts


def funnel_outcomes(program) -> dict[str, str]:
    """trigger -> funnel outcome, from the rule file's `funnel:` (worked out once per program)."""
    outcomes = program.derived.get("funnel_outcomes")
    if outcomes is None:
        funnel = program.spec.funnel
        outcomes = program.derived["funnel_outcomes"] = {
            trigger: outcome
            for outcome in ("submitted", "selected", "withdrawn", "lapsed")
            for trigger in (getattr(funnel, outcome) if funnel is not None else ())
        }
    return outcomes


@dataclass(frozen=True)
class Plan:
    """What submitting each stage records, worked out once per rule file."""

    company_stages: frozenset[str] = frozenset()
    company: dict = field(default_factory=dict)  # attribute -> field name
    indicators: dict = field(default_factory=dict)  # stage -> ((indicator, field), ...)

    @property
    def stages(self) -> frozenset[str]:
        return self.company_stages | frozenset(self.indicators)


PLANS: dict[str, Plan] = {}


def plan_of(program) -> Plan:
    plan = PLANS.get(program.sha256)
    if plan is None:
        spec = program.spec
        company = spec.company.model_dump(exclude_none=True) if spec.company else {}
        stages = frozenset(
            name
            for name, stage in spec.stages.items()
            if company and any(f.name == company["business_no"] for f in stage.fields)
        )
        indicators: dict[str, list] = {}
        for indicator, declared in spec.indicators.items():
            for stage, field_name in declared.collected_in.items():
                indicators.setdefault(stage, []).append((indicator, field_name))
        plan = PLANS[program.sha256] = Plan(
            stages, company, {stage: tuple(pairs) for stage, pairs in indicators.items()}
        )
    return plan


def record_submitted_stages(connection, program, application, transition, data, event_seq, now) -> None:
    required = transition.spec.requires
    if not required:
        return
    plan = plan_of(program)
    submitted = plan.stages.intersection(required)
    if not submitted:
        return
    company_id = None
    if submitted & plan.company_stages:
        company_id = _save_company(connection, program, application.id, plan.company, data, now)
    year = now.astimezone(SEOUL).year
    for stage in sorted(submitted):
        for indicator, field_name in plan.indicators.get(stage, ()):
            value = data.get(field_name)
            if value is None:
                continue
            if company_id is None:
                company_id = connection.execute(COMPANY_OF, {"application_id": application.id}).scalar()
            _save_value(
                connection,
                {
                    "application_id": application.id,
                    "indicator": indicator,
                    "year": year,
                    "value": int(value),
                    "stage": stage,
                    "company_id": company_id,
                    "event_seq": event_seq,
                    "recorded_at": now,
                    "program_key": program.key,
                },
            )


def _save_value(connection, row: dict) -> None:
    keys = {"b_application_id": row["application_id"], "b_indicator": row["indicator"], "b_year": row["year"]}
    if connection.execute(UPDATE_VALUE, {**row, **keys}).rowcount == 0:
        connection.execute(insert(VALUES), row)


def profile_values(company: dict, data: dict) -> dict:
    """The company's profile columns from an application's data (the rule file names the fields)."""
    values = {}
    for attribute, column in (
        ("name", "name"),
        ("employees", "employees"),
        ("founded", "founded_year"),
        ("sector", "sector"),
        ("region", "region"),
    ):
        if attribute in company and data.get(company[attribute]) is not None:
            value = data[company[attribute]]
            if attribute == "founded" and isinstance(value, str):
                value = int(value[:4])
            values[column] = value
    return values


_COMPANY_STATEMENTS: dict[tuple[str, tuple[str, ...]], tuple] = {}
_COMPANY_AT_ONCE: dict[tuple[str, ...], object] = {}


def _company_statements(connection, columns: tuple[str, ...]) -> tuple:
    """(company upsert, link upsert, values update), built once per database and profile columns: building
    an upsert per call costs more than running it."""
    key = (connection.dialect.name, columns)
    if key not in _COMPANY_STATEMENTS:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        company = dialect.insert(COMPANIES)
        company = company.on_conflict_do_update(
            index_elements=[COMPANIES.c.business_no],
            set_={name: company.excluded[name] for name in ("updated_at", *columns)},
        ).returning(COMPANIES.c.id)
        link = dialect.insert(LINKS)
        link = link.on_conflict_do_update(  # the link is new, or moves to this company
            index_elements=[LINKS.c.application_id],
            set_={"company_id": link.excluded.company_id, "program_key": link.excluded.program_key},
        )
        values = (
            update(VALUES)
            .where(VALUES.c.application_id == bindparam("b_application_id"))
            .values(company_id=bindparam("b_company_id"))
        )
        _COMPANY_STATEMENTS[key] = (company, link, values)
    return _COMPANY_STATEMENTS[key]


def _company_at_once(columns: tuple[str, ...]):
    """PostgreSQL: the three as one statement (data-modifying CTEs), returning the company's id. The
    parameters are named `co_*`, no column's name, so none is taken for a column of another part."""
    statement = _COMPANY_AT_ONCE.get(columns)
    if statement is None:
        profile = ("business_no", "updated_at", *columns)
        upsert = postgresql.insert(COMPANIES).values(
            {name: bindparam(f"co_{name}", type_=COMPANIES.c[name].type) for name in profile}
        )
        company = (
            upsert.on_conflict_do_update(
                index_elements=[COMPANIES.c.business_no],
                set_={name: upsert.excluded[name] for name in profile[1:]},
            )
            .returning(COMPANIES.c.id)
            .cte("company")
        )
        application = bindparam("co_application", type_=LINKS.c.application_id.type)
        link = postgresql.insert(LINKS).from_select(
            ["application_id", "company_id", "program_key"],
            select(application, company.c.id, bindparam("co_program", type_=LINKS.c.program_key.type)),
            include_defaults=False,
        )
        link = link.on_conflict_do_update(
            index_elements=[LINKS.c.application_id],
            set_={"company_id": link.excluded.company_id, "program_key": link.excluded.program_key},
        )
        relink = (
            update(VALUES)
            .where(VALUES.c.application_id == application)
            .values(company_id=select(company.c.id).scalar_subquery())
        )
        statement = _COMPANY_AT_ONCE[columns] = select(company.c.id).add_cte(
            link.cte("link"), relink.cte("relink")
        )
    return statement


def _save_company(connection, program, application_id: int, company: dict, data: dict, now) -> int | None:
    business_no = data.get(company["business_no"])
    if not business_no:
        return None
    values = profile_values(company, data)
    columns = tuple(sorted(values))
    if connection.dialect.name == "postgresql":
        params = {f"co_{name}": value for name, value in values.items()}
        params |= {"co_business_no": business_no, "co_updated_at": now}
        params |= {"co_application": application_id, "co_program": program.key}
        return prepared.run(connection, _company_at_once(columns), params).scalar_one()
    upsert, link, update_values = _company_statements(connection, columns)
    company_id = prepared.run(
        connection, upsert, {"business_no": business_no, "updated_at": now, **values}
    ).scalar_one()
    prepared.run(
        connection,
        link,
        {"application_id": application_id, "company_id": company_id, "program_key": program.key},
    )
    prepared.run(connection, update_values, {"b_application_id": application_id, "b_company_id": company_id})
    return company_id
