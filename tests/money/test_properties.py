"""Random interleavings of award, pay, release, recover and cancel keep every money invariant.

Each example runs on a fresh copy of the migrated SQLite database (or an emptied PostgreSQL one);
after every step the invariants are read back from the database (limits, and ledger sums == budget
and award totals).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import Clock, _postgres_engine, make_workflow
from tests.money.helpers import RULES, assert_invariants, make_staff, submitted
from workflow.db import make_engine
from workflow.models import Application

START = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)
LAST_DAY = datetime(2027, 12, 1, tzinfo=UTC)  # tiny-grant is open until 2027-12-31
OPERATIONS = (
    ["apply"] * 3
    + ["approve"] * 3
    + ["pay"] * 4
    + ["accept_report", "report", "terminate"]
    + ["recover"] * 2
    + ["recover_all", "wait"]
)
# (operation, which application, an amount in millions of won or a number of days)
STEP = st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 7), st.integers(1, 30))


SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
STEPS = st.lists(STEP, min_size=15, max_size=50)


@pytest.mark.slow
@settings(max_examples=30, **SETTINGS)
@given(steps=STEPS)
def test_random_interleavings_keep_every_invariant(sqlite_template, tmp_path_factory, steps):
    path = tmp_path_factory.mktemp("money") / "money.sqlite3"
    shutil.copy(sqlite_template, path)
    _run(make_engine(f"sqlite:///{path}"), steps)


@pytest.mark.slow
@pytest.mark.postgres
@settings(max_examples=12, **SETTINGS)
@given(steps=STEPS)
def test_random_interleavings_keep_every_invariant_on_postgres(postgres_url, steps):
    _run(_postgres_engine(postgres_url), steps)  # every table emptied first


def _run(engine, steps) -> None:
    try:
        clock = Clock(START)
        workflow = make_workflow(engine, clock, RULES)
        staff = make_staff(engine)
        apps: list[int] = []
        for step in steps:
            _apply(workflow, staff, clock, apps, step)
            with engine.connect() as connection:
                assert_invariants(connection)
    finally:
        engine.dispose()


TARGETS = {  # the states an operation is aimed at (still refused when its money does not allow it)
    "approve": ("submitted",),
    "pay": ("active",),
    "accept_report": ("active",),
    "report": ("active",),
    "terminate": ("active",),
    "recover": ("active", "terminated"),
    "recover_all": ("active", "terminated"),
}


def _apply(workflow, staff, clock, apps: list[int], step: tuple) -> None:
    kind, which, size = step
    if kind == "apply":
        apps.append(submitted(workflow, staff, requested=size * 1_000_000))
        return
    if kind == "wait":  # time passes (interest accrues) while the program stays open
        if clock.now + timedelta(days=size * 7) < LAST_DAY:
            clock.advance(days=size * 7)
        return
    with workflow.db.connect() as connection:
        candidates = (
            connection.execute(
                select(Application.id)
                .where(Application.id.in_(apps), Application.state.in_(TARGETS[kind]))
                .order_by(Application.id)
            )
            .scalars()
            .all()
        )
    if not candidates:
        return
    app_id = candidates[which % len(candidates)]
    actor = staff.finance if kind in ("pay", "recover", "recover_all") else staff.officer
    if kind == "report":
        assert workflow.save_draft(app_id, staff.applicant, {"spent_to_date": 1_000_000}).ok
        return
    data = {"recovery_amount": size * 500_000} if kind == "recover" else None
    result = workflow.fire(app_id, kind, actor, data=data)
    event(f"{kind}: {result.refusal.code if result.refusal else 'ok'}")
    # refusals are expected; "busy" would mean the database caught what the code let through
    assert result.ok or result.refusal.code != "busy", result.reason("en")
