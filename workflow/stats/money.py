"""Money figures per program and fiscal year, from the ledger (so a date range can cut them):
committed = commitments − releases, paid, recovered (principal) and interest; execution = paid ÷ budget.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from workflow.models import LedgerEntry, ProgramBudget
from workflow.stats.funnel import _title, within
from workflow.stats.tables import Chart, Column, Table

BUDGETS, LEDGER = ProgramBudget.__table__, LedgerEntry.__table__


def _sum_of(*kinds):
    return func.coalesce(func.sum(case((LEDGER.c.kind.in_(kinds), LEDGER.c.amount), else_=0)), 0)


def money(connection, programs: dict, filters, lang: str) -> Table:
    budget_where = [BUDGETS.c.program_key.in_(filters.keys)]
    if filters.year is not None:
        budget_where.append(BUDGETS.c.fiscal_year == filters.year)
    budgets = connection.execute(
        select(BUDGETS.c.id, BUDGETS.c.program_key, BUDGETS.c.fiscal_year, BUDGETS.c.total)
        .where(*budget_where)
        .order_by(BUDGETS.c.program_key, BUDGETS.c.fiscal_year)
    ).all()
    # the date range cuts the ledger; the year has already chosen the fiscal year's budget
    ledger_window = within(filters.window_without_year(), LEDGER.c.at)
    sums = {
        row.budget_id: row
        for row in connection.execute(
            select(
                LEDGER.c.budget_id,
                (_sum_of("commit") - _sum_of("release")).label("committed"),
                _sum_of("pay").label("paid"),
                _sum_of("recover").label("recovered"),
                _sum_of("interest").label("interest"),
            )
            .where(LEDGER.c.budget_id.in_([b.id for b in budgets]), *ledger_window)
            .group_by(LEDGER.c.budget_id)
        )
    }
    table = Table(
        "money",
        _l("Budget and execution"),
        [
            Column("program", _l("Program")),
            Column("fiscal_year", _l("Fiscal year"), "text"),
            Column("budget", _l("Budget"), "krw"),
            Column("committed", _l("Committed"), "krw"),
            Column("paid", _l("Paid"), "krw"),
            Column("recovered", _l("Recovered (principal)"), "krw"),
            Column("interest", _l("Recovered (interest)"), "krw"),
            Column("execution_rate", _l("Execution rate"), "percent"),
        ],
        chart=Chart("bar", "fiscal_year", ("budget", "committed", "paid", "recovered")),
    )
    for budget in budgets:
        if budget.program_key not in programs:
            continue
        row = sums.get(budget.id)
        committed, paid, recovered, interest = (
            (int(row.committed), int(row.paid), int(row.recovered), int(row.interest))
            if row
            else (0, 0, 0, 0)
        )
        rate = 100.0 * paid / budget.total if budget.total else None
        table.rows.append(
            [
                _title(programs[budget.program_key], lang),
                str(budget.fiscal_year),
                int(budget.total),
                committed,
                paid,
                recovered,
                interest,
                rate,
            ]
        )
    return table
