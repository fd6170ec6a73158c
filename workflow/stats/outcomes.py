"""Outcome figures: each indicator by year and program against its targets; by company size, sector and
region; and cohorts (companies first supported — awarded — in fiscal year Y, their indicators in Y+1..Y+3).

Indicator values are filtered by their year (the year filter) and when they were recorded (date range).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, select

from workflow.models import Award, Company, CompanyApplication, IndicatorValue, ProgramBudget
from workflow.performance.kinds import GANGWON_REGIONS, INDICATOR_KINDS, SIZE_BANDS, UNITS, UNKNOWN
from workflow.stats.funnel import _title, within
from workflow.stats.tables import Chart, Column, Table

VALUES, COMPANIES, LINKS = IndicatorValue.__table__, Company.__table__, CompanyApplication.__table__
COHORT_YEARS = (1, 2, 3)


def _value_where(filters) -> list:
    where = [
        VALUES.c.program_key.in_(filters.keys),
        *within(filters.window_without_year(), VALUES.c.recorded_at),
    ]
    if filters.year is not None:
        where.append(VALUES.c.year == filters.year)
    return where


def indicator_label(name: str, lang: str) -> str:
    """'Jobs created (persons)' in the reader's language (lang is the page's; the labels follow it)."""
    kind = INDICATOR_KINDS[name]
    return f"{kind.label} ({UNITS[kind.unit].label})"


def _labels_of(names) -> dict[str, str]:
    """Each indicator's label translated once per table, not once per row."""
    return {name: indicator_label(name, "") for name in set(names)}


def _indicator_order(name: str) -> int:
    return list(INDICATOR_KINDS).index(name) if name in INDICATOR_KINDS else len(INDICATOR_KINDS)


def by_program(connection, programs: dict, filters, lang: str) -> Table:
    rows = connection.execute(
        select(
            VALUES.c.program_key,
            VALUES.c.indicator,
            VALUES.c.year,
            func.sum(VALUES.c.value),
            func.count(func.distinct(VALUES.c.company_id)),
        )
        .where(*_value_where(filters))
        .group_by(VALUES.c.program_key, VALUES.c.indicator, VALUES.c.year)
    ).all()
    table = Table(
        "outcomes",
        _l("Indicators by program and year"),
        [
            Column("program", _l("Program")),
            Column("indicator", _l("Indicator")),
            Column("year", _l("Year")),
            Column("value", _l("Value"), "int"),
            Column("target", _l("Target"), "int"),
            Column("achievement", _l("Achievement"), "percent"),
            Column("companies", _l("Companies"), "int"),
        ],
        chart=Chart("bar", "year", ("value", "target"), split="indicator"),
    )
    order = {key: i for i, key in enumerate(filters.keys)}
    labels = _labels_of(r[1] for r in rows)
    for key, indicator, year, value, companies in sorted(
        rows, key=lambda r: (order[r[0]], _indicator_order(r[1]), r[2])
    ):
        declared = programs[key].spec.indicators.get(indicator)
        target = declared.targets.get(year) if declared else None
        achievement = 100.0 * int(value) / target if target else None
        table.rows.append(
            [
                _title(programs[key], lang),
                labels[indicator],
                str(year),
                int(value),
                target,
                achievement,
                companies,
            ]
        )
    return table


def _size_band():
    employees = COMPANIES.c.employees
    whens = [(employees >= lower, literal(key)) for lower, key, _ in reversed(SIZE_BANDS)]
    return case(*whens, else_=literal(None))


def _group_labels(programs: dict, filters, attribute: str, lang: str) -> dict:
    if attribute == "size":
        return {key: str(label) for _, key, label in SIZE_BANDS}
    if attribute == "region":
        return {key: str(label) for key, label in GANGWON_REGIONS.items()}
    labels = {}
    for key in filters.keys:
        company = programs[key].spec.company
        field = programs[key].fields.get(company.sector) if company and company.sector else None
        for choice in (field.choices or []) if field else []:
            labels.setdefault(choice.value, choice.label.get(lang))
    return labels


GROUPS = {
    "size": (_l("Indicators by company size"), _l("Company size")),
    "sector": (_l("Indicators by sector"), _l("Sector")),
    "region": (_l("Indicators by region"), _l("Region (city or county)")),
}


def by_company(connection, programs: dict, filters, lang: str, attribute: str) -> Table:
    group = _size_band() if attribute == "size" else COMPANIES.c[attribute]
    rows = connection.execute(
        select(
            VALUES.c.indicator,
            VALUES.c.year,
            group.label("grp"),
            func.sum(VALUES.c.value),
            func.count(func.distinct(VALUES.c.company_id)),
        )
        .select_from(VALUES.outerjoin(COMPANIES, COMPANIES.c.id == VALUES.c.company_id))
        .where(*_value_where(filters))
        .group_by(VALUES.c.indicator, VALUES.c.year, group)
    ).all()
    title, heading = GROUPS[attribute]
    labels = _group_labels(programs, filters, attribute, lang)
    unknown = str(UNKNOWN)
    order = {key: i for i, key in enumerate(labels)}
    names = _labels_of(r[0] for r in rows)
    table = Table(
        f"by_{attribute}",
        title,
        [
            Column("indicator", _l("Indicator")),
            Column("year", _l("Year")),
            Column("group", heading),
            Column("value", _l("Value"), "int"),
            Column("companies", _l("Companies"), "int"),
        ],
        chart=Chart("bar", "group", ("value",), split="indicator"),
    )
    for indicator, year, key, value, companies in sorted(
        rows, key=lambda r: (_indicator_order(r[0]), r[1], order.get(r[2], len(order)), str(r[2]))
    ):
        label = labels.get(key, key) if key is not None else unknown
        table.rows.append([names[indicator], str(year), label, int(value), companies])
    return table


def cohorts(connection, programs: dict, filters, lang: str) -> Table:
    """Companies awarded in fiscal year Y (in the programs in view) and their indicators in Y+1..Y+3."""
    budgets = ProgramBudget.__table__
    where = [budgets.c.program_key.in_(filters.keys)]
    if filters.year is not None:
        where.append(budgets.c.fiscal_year == filters.year)
    cohort = (
        select(budgets.c.fiscal_year.label("cohort"), LINKS.c.company_id)
        .select_from(
            Award.__table__.join(budgets, budgets.c.id == Award.budget_id).join(
                LINKS, LINKS.c.application_id == Award.application_id
            )
        )
        .where(*where)
        .distinct()
        .subquery()
    )
    sizes = dict(connection.execute(select(cohort.c.cohort, func.count()).group_by(cohort.c.cohort)).all())
    offset = VALUES.c.year - cohort.c.cohort
    sums = connection.execute(
        select(cohort.c.cohort, VALUES.c.indicator, offset.label("after"), func.sum(VALUES.c.value))
        .select_from(cohort.join(VALUES, VALUES.c.company_id == cohort.c.company_id))
        .where(VALUES.c.program_key.in_(filters.keys), offset >= 1, offset <= 3)
        .group_by(cohort.c.cohort, VALUES.c.indicator, offset)
    ).all()
    figures: dict = {}
    for year, indicator, after, value in sums:
        figures.setdefault((year, indicator), {})[int(after)] = int(value)
    table = Table(
        "cohorts",
        _l("Cohorts: companies supported in a year and their indicators in the following years"),
        [
            Column("cohort", _l("Year supported")),
            Column("indicator", _l("Indicator")),
            Column("companies", _l("Companies"), "int"),
            *(Column(f"y{n}", _l("Year +%(n)s", n=n), "int") for n in COHORT_YEARS),
        ],
        chart=Chart("bar", "cohort", tuple(f"y{n}" for n in COHORT_YEARS), split="indicator"),
    )
    names = _labels_of(indicator for _, indicator in figures)
    for year, indicator in sorted(figures, key=lambda k: (k[0], _indicator_order(k[1]))):
        after = figures[(year, indicator)]
        table.rows.append(
            [
                str(year),
                names[indicator],
                sizes.get(year, 0),
                *(after.get(n) for n in COHORT_YEARS),
            ]
        )
    return table
