"""Every dashboard table by key, in sections: the page, the exports and `flask stats` all read these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from workflow.stats import funnel, money, outcomes
from workflow.stats.filters import Filters
from workflow.stats.tables import Table


@dataclass(frozen=True)
class Scope:
    """What every figure is computed for: the programs, the filters, the reader's language, now."""

    programs: dict  # key -> CompiledProgram, the programs the reader may see
    filters: Filters
    lang: str
    now: datetime
    review_days: int = 14


TABLES: dict[str, Callable] = {
    "states": lambda c, s: funnel.applications_by_state(c, s.programs, s.filters, s.lang),
    "funnel": lambda c, s: funnel.funnel(c, s.programs, s.filters, s.lang),
    "time": lambda c, s: funnel.time_in_state(c, s.programs, s.filters, s.lang),
    "deadlines": lambda c, s: funnel.deadlines(c, s.programs, s.filters, s.lang, s.now, s.review_days),
    "money": lambda c, s: money.money(c, s.programs, s.filters, s.lang),
    "outcomes": lambda c, s: outcomes.by_program(c, s.programs, s.filters, s.lang),
    "by_size": lambda c, s: outcomes.by_company(c, s.programs, s.filters, s.lang, "size"),
    "by_sector": lambda c, s: outcomes.by_company(c, s.programs, s.filters, s.lang, "sector"),
    "by_region": lambda c, s: outcomes.by_company(c, s.programs, s.filters, s.lang, "region"),
    "cohorts": lambda c, s: outcomes.cohorts(c, s.programs, s.filters, s.lang),
}

SECTIONS = (
    ("funnel", _l("Funnel"), ("funnel", "states")),
    ("time", _l("Processing time"), ("time", "deadlines")),
    ("money", _l("Money"), ("money",)),
    ("outcomes", _l("Outcomes"), ("outcomes", "by_size", "by_sector", "by_region", "cohorts")),
)


def table(connection, scope: Scope, key: str) -> Table:
    return TABLES[key](connection, scope)


def all_tables(connection, scope: Scope) -> dict[str, Table]:
    """Every table, read in one transaction so the figures agree with each other."""
    return {key: build(connection, scope) for key, build in TABLES.items()}
