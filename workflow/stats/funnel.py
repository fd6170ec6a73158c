"""Funnel and time figures: applications by state, selection rate, withdrawals and lapses; days in each
state (median and 90th percentile, nearest rank), deadlines missed and reviews overdue.

Applications are counted by when they were started (the filters' window on `created_at`); stays by
when they ended. Percentiles are nearest-rank: the value at rank ceil(p × n) of the sorted stays.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, false, func, or_, select

from workflow.models import Application, FunnelMark, MissedDeadline, ReviewAssignment, StateStay
from workflow.stats.tables import Chart, Column, Table

APPS, STAYS, MISSED = Application.__table__, StateStay.__table__, MissedDeadline.__table__
FUNNEL_OUTCOMES = ("submitted", "selected", "withdrawn", "lapsed")
DAY = 86400


def within(window, column) -> list:
    """Conditions keeping `column` in [low, high) (either end may be open)."""
    low, high = window
    return [c for c in (column >= low if low else None, column < high if high else None) if c is not None]


def _created_in(filters, column) -> list:
    return within(filters.window(), column)


def applications_by_state(connection, programs: dict, filters, lang: str) -> Table:
    rows = connection.execute(
        select(APPS.c.program_key, APPS.c.state, func.count())
        .where(APPS.c.program_key.in_(filters.keys), *_created_in(filters, APPS.c.created_at))
        .group_by(APPS.c.program_key, APPS.c.state)
    ).all()
    counts = {(key, state): n for key, state, n in rows}
    table = Table(
        "states",
        _l("Applications by state"),
        [
            Column("program", _l("Program")),
            Column("state", _l("State")),
            Column("count", _l("Number of applications"), "int"),
        ],
        chart=Chart("bar", "state", ("count",)),
    )
    for key in filters.keys:
        program = programs[key]
        for state in program.spec.states:  # file order: the order of the steps
            if (key, state) in counts:
                table.rows.append(
                    [_title(program, lang), program.state_label(state, lang), counts[(key, state)]]
                )
    return table


def funnel(connection, programs: dict, filters, lang: str) -> Table:
    """Per program: applications, submitted, selected, selection rate, withdrawn, lapsed (counted from
    the funnel marks: an application once per outcome, by the day it was started)."""
    marks = FunnelMark.__table__
    counts = {
        (key, outcome): n
        for key, outcome, n in connection.execute(
            select(marks.c.program_key, marks.c.outcome, func.count())
            .where(marks.c.program_key.in_(filters.keys), *_created_in(filters, marks.c.created_at))
            .group_by(marks.c.program_key, marks.c.outcome)
        )
    }
    totals = dict(
        connection.execute(
            select(APPS.c.program_key, func.count())
            .where(APPS.c.program_key.in_(filters.keys), *_created_in(filters, APPS.c.created_at))
            .group_by(APPS.c.program_key)
        ).all()
    )
    table = Table(
        "funnel",
        _l("Funnel"),
        [
            Column("program", _l("Program")),
            Column("applications", _l("Number of applications"), "int"),
            Column("submitted", _l("Submitted"), "int"),
            Column("selected", _l("Selected"), "int"),
            Column("selection_rate", _l("Selection rate"), "percent"),
            Column("withdrawn", _l("Withdrawn"), "int"),
            Column("lapsed", _l("Lapsed"), "int"),
        ],
        chart=Chart("bar", "program", ("submitted", "selected", "withdrawn", "lapsed")),
    )
    for key in filters.keys:
        program = programs[key]
        declared = program.spec.funnel is not None
        figures = {o: counts.get((key, o), 0) if declared else None for o in FUNNEL_OUTCOMES}
        for outcome in FUNNEL_OUTCOMES:
            if declared and not _triggers(program, outcome):
                figures[outcome] = None  # the program has no such outcome
        rate = (
            100.0 * figures["selected"] / figures["submitted"]
            if figures["submitted"] and figures["selected"] is not None
            else None
        )
        table.rows.append(
            [
                _title(program, lang),
                totals.get(key, 0),
                figures["submitted"],
                figures["selected"],
                rate,
                figures["withdrawn"],
                figures["lapsed"],
            ]
        )
    return table


def time_in_state(connection, programs: dict, filters, lang: str) -> Table:
    """Stays that ended in the window, per program and state: count, median and p90 days."""
    group = (STAYS.c.program_key, STAYS.c.state)
    if connection.dialect.name == "postgresql":
        figures = _indexed_percentiles(connection, filters)
    else:
        figures = _ranked_percentiles(connection, _stays_in(STAYS, filters), group)
    table = Table(
        "time",
        _l("Days in each state"),
        [
            Column("program", _l("Program")),
            Column("state", _l("State")),
            Column("stays", _l("Stays"), "int"),
            Column("median", _l("Median (days)"), "days"),
            Column("p90", _l("90th percentile (days)"), "days"),
        ],
        chart=Chart("bar", "state", ("median", "p90")),
    )
    for key in filters.keys:
        program = programs[key]
        for state in program.spec.states:
            if (key, state) in figures:
                n, p50, p90 = figures[(key, state)]
                table.rows.append(
                    [_title(program, lang), program.state_label(state, lang), n, p50 / DAY, p90 / DAY]
                )
    return table


def _stays_in(stays, filters) -> list:
    return [stays.c.program_key.in_(filters.keys), *_created_in(filters, stays.c.left_at)]


def _indexed_percentiles(connection, filters) -> dict:
    """Nearest-rank percentiles on PostgreSQL: count each (program, state), then read the k-th duration
    from ix_state_stays_durations (an index-only scan that stops at k, instead of sorting every stay)."""
    group = (STAYS.c.program_key, STAYS.c.state)
    counts = select(*group, func.count().label("n")).where(*_stays_in(STAYS, filters)).group_by(*group)
    counts = counts.subquery()
    inner = STAYS.alias("ranked")

    def kth(rank, descending=False):
        """The duration at `rank` counted from the shortest (or, descending, from the longest)."""
        return (
            select(inner.c.seconds)
            .where(
                inner.c.program_key == counts.c.program_key,
                inner.c.state == counts.c.state,
                *_stays_in(inner, filters),
            )
            .order_by(inner.c.seconds.desc() if descending else inner.c.seconds)
            .offset(rank - 1)
            .limit(1)
            .scalar_subquery()
        )

    # rank ceil(9n/10) from the shortest is rank n - ceil(9n/10) + 1 from the longest: reading the p90
    # backwards stops after a tenth of the index entries instead of nine tenths
    p90_from_longest = counts.c.n - (counts.c.n * 9 + 9) // 10 + 1
    rows = connection.execute(
        select(
            counts.c.program_key,
            counts.c.state,
            counts.c.n,
            kth((counts.c.n + 1) // 2),
            kth(p90_from_longest, descending=True),
        )
    )
    return {(k, s): (n, p50, p90) for k, s, n, p50, p90 in rows}


def _ranked_percentiles(connection, where, group) -> dict:
    """Nearest-rank percentiles with window functions (SQLite has no percentile aggregate)."""
    ranked = (
        select(
            *group,
            STAYS.c.seconds,
            func.row_number().over(partition_by=group, order_by=STAYS.c.seconds).label("rank"),
            func.count().over(partition_by=group).label("n"),
        )
        .where(*where)
        .subquery()
    )
    median_rank, p90_rank = (ranked.c.n + 1) // 2, (ranked.c.n * 9 + 9) // 10  # ceil(n/2), ceil(9n/10)
    rows = connection.execute(
        select(
            ranked.c.program_key,
            ranked.c.state,
            func.max(ranked.c.n),
            func.max(case((ranked.c.rank == median_rank, ranked.c.seconds))),
            func.max(case((ranked.c.rank == p90_rank, ranked.c.seconds))),
        )
        .where(or_(ranked.c.rank == median_rank, ranked.c.rank == p90_rank))
        .group_by(ranked.c.program_key, ranked.c.state)
    )
    return {(k, s): (n, p50, p90) for k, s, n, p50, p90 in rows}


def deadlines(connection, programs: dict, filters, lang: str, now, review_days: int) -> Table:
    """Per program: deadlines that expired (their timer fired, summarised in missed_deadlines) in the window; reviews still not in
    `review_days` after assignment while the application waits in a review state."""
    missed = dict(
        connection.execute(
            select(MISSED.c.program_key, func.count())
            .where(MISSED.c.program_key.in_(filters.keys), *_created_in(filters, MISSED.c.due_at))
            .group_by(MISSED.c.program_key)
        ).all()
    )
    review_states = [
        and_(
            APPS.c.program_key == key,
            APPS.c.state.in_([s for s, spec in programs[key].spec.states.items() if spec.review]),
        )
        for key in filters.keys
    ]
    overdue = dict(
        connection.execute(
            select(APPS.c.program_key, func.count())
            .select_from(ReviewAssignment.__table__.join(APPS, APPS.c.id == ReviewAssignment.application_id))
            .where(
                or_(false(), *review_states),
                ReviewAssignment.submitted_at.is_(None),
                ReviewAssignment.coi != "conflict",
                ReviewAssignment.assigned_at < now - timedelta(days=review_days),
            )
            .group_by(APPS.c.program_key)
        ).all()
    )
    table = Table(
        "deadlines",
        _l("Deadlines missed and reviews overdue"),
        [
            Column("program", _l("Program")),
            Column("deadlines_missed", _l("Deadlines missed"), "int"),
            Column("reviews_overdue", _l("Reviews overdue"), "int"),
        ],
        chart=Chart("bar", "program", ("deadlines_missed", "reviews_overdue")),
    )
    for key in filters.keys:
        table.rows.append([_title(programs[key], lang), missed.get(key, 0), overdue.get(key, 0)])
    return table


def _triggers(program, outcome: str) -> list[str]:
    return list(getattr(program.spec.funnel, outcome, None) or [])


def _title(program, lang: str) -> str:
    return program.spec.title.get(lang)
