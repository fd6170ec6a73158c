"""On a seeded dataset, every figure of the dashboard (and so of the exports and `flask stats`, which print
the same tables) equals an independent computation in plain Python over the rows."""

from __future__ import annotations

from datetime import date

import pytest

from tests.stats.expected import Expected
from tests.stats.seed import seed
from workflow.performance.kinds import GANGWON_REGIONS, SIZE_BANDS, UNKNOWN
from workflow.stats.dashboard import Scope, all_tables
from workflow.stats.filters import parse
from workflow.stats.outcomes import indicator_label

FILTERS = [
    {},
    {"year": "2026"},
    {"year": "2027"},
    {"program": "startup-support"},
    {"program": "regulation-exception", "year": "2026"},
    {"from": "2026-05-05", "to": "2026-12-31"},
    {"from": "2027-01-01"},
]


@pytest.fixture
def seeded(workflow, people, store, clock):
    return seed(workflow, people, store, clock)


def scope_for(workflow, args, now) -> Scope:
    programs = dict(sorted(workflow.registry.current.items()))
    return Scope(programs, parse(args, list(programs)), "ko", now, 14)


def test_every_figure_equals_an_independent_computation(workflow, seeded, db_engine, clock):
    checked = sum(check_figures(workflow, db_engine, clock(), args) for args in FILTERS)
    assert checked > 100  # the dataset exercises every table


def check_figures(workflow, db_engine, now, args: dict) -> int:
    """Every table for these filters against Expected; returns how many rows were compared."""
    scope = scope_for(workflow, args, now)
    with db_engine.connect() as connection:
        tables = all_tables(connection, scope)
        expected = Expected(
            connection,
            scope.programs,
            scope.filters.keys,
            year=int(args["year"]) if "year" in args else None,
            start=date.fromisoformat(args["from"]) if "from" in args else None,
            end=date.fromisoformat(args["to"]) if "to" in args else None,
            now=now,
        )
    programs, keys = scope.programs, scope.filters.keys
    title = {k: programs[k].spec.title.ko for k in keys}

    states = expected.states()
    assert tables["states"].rows == [
        [title[k], programs[k].state_label(s, "ko"), states[(k, s)]]
        for k in keys
        for s in programs[k].spec.states
        if (k, s) in states
    ], args

    funnel = expected.funnel()
    want = []
    for k in keys:
        f = funnel[k]
        rate = (
            100.0 * f["selected"] / f["submitted"] if f["submitted"] and f["selected"] is not None else None
        )
        want.append(
            [
                title[k],
                f["applications"],
                f["submitted"],
                f["selected"],
                rate,
                f["withdrawn"],
                f["lapsed"],
            ]
        )
    assert tables["funnel"].rows == want, args

    time = expected.time()
    assert tables["time"].rows == [
        [title[k], programs[k].state_label(s, "ko"), *time[(k, s)]]
        for k in keys
        for s in programs[k].spec.states
        if (k, s) in time
    ], args

    deadlines = expected.deadlines()
    assert tables["deadlines"].rows == [[title[k], *deadlines[k]] for k in keys], args

    money = expected.money()
    assert tables["money"].rows == [
        [title[k], str(y), total, committed, paid, recovered, interest, 100.0 * paid / total]
        for (k, y), (total, committed, paid, recovered, interest) in sorted(money.items())
    ], args

    outcomes = expected.outcomes()
    got = {(r[0], r[1], r[2]): r[3:] for r in tables["outcomes"].rows}
    want = {}
    for (k, indicator, year), (value, companies) in outcomes.items():
        declared = programs[k].spec.indicators.get(indicator)
        target = declared.targets.get(year) if declared else None
        want[(title[k], indicator_label(indicator, "ko"), str(year))] = [
            value,
            target,
            100.0 * value / target if target else None,
            companies,
        ]
    assert got == want, args

    for attribute in ("size", "sector", "region"):
        labels = (
            {key: str(label) for _, key, label in SIZE_BANDS}
            if attribute == "size"
            else {key: str(label) for key, label in GANGWON_REGIONS.items()}
            if attribute == "region"
            else {c.value: c.label.ko for c in programs["startup-support"].fields["sector"].choices}
        )
        got = {(r[0], r[1], r[2]): r[3:] for r in tables[f"by_{attribute}"].rows}
        want = {
            (indicator_label(i, "ko"), str(y), labels[g] if g is not None else str(UNKNOWN)): [v, n]
            for (i, y, g), (v, n) in expected.by_company(attribute).items()
        }
        assert got == want, (attribute, args)

    cohorts = expected.cohorts()
    got = {(r[0], r[1]): r[2:] for r in tables["cohorts"].rows}
    want = {
        (str(y), indicator_label(i, "ko")): [f["companies"], f.get(1), f.get(2), f.get(3)]
        for (y, i), f in cohorts.items()
    }
    assert got == want, args
    return sum(len(t.rows) for t in tables.values())


def test_the_seeded_story_is_what_the_figures_say(workflow, seeded, db_engine, clock):
    """A few figures by hand, so the independent computation is itself checked against the story."""
    scope = scope_for(workflow, {"program": "startup-support"}, clock())
    with db_engine.connect() as connection:
        tables = all_tables(connection, scope)
    funnel = tables["funnel"].records()[0]
    assert (funnel["applications"], funnel["submitted"], funnel["selected"]) == (8, 7, 2)
    assert (funnel["withdrawn"], funnel["lapsed"], funnel["selection_rate"]) == (1, 1, 100.0 * 2 / 7)
    deadlines = tables["deadlines"].records()[0]
    assert deadlines["deadlines_missed"] >= 1 and deadlines["reviews_overdue"] == 1
    jobs = {
        (r["year"], r["value"])
        for r in tables["outcomes"].records()
        if r["indicator"] == indicator_label("jobs_created", "ko")
    }
    assert jobs == {("2026", 11), ("2027", 5)}
    cohort = [
        r for r in tables["cohorts"].records() if r["indicator"] == indicator_label("jobs_created", "ko")
    ]
    assert cohort == [
        {
            "cohort": "2026",
            "indicator": cohort[0]["indicator"],
            "companies": 2,
            "y1": 5,
            "y2": None,
            "y3": None,
        }
    ]
