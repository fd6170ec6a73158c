"""`demo --size large` on a small scale: consistent hash chains (audit verify), ledger and totals that
reconcile, every program present, and dashboard figures equal to the independent computation."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select, text

from tests.stats.test_figures import check_figures
from workflow.audit.verify import verify_all
from workflow.demo import load_demo
from workflow.models import (
    Application,
    Company,
    CompanyApplication,
    HistoryEvent,
    IndicatorValue,
    StateStay,
    Timer,
    User,
)
from workflow.performance.bulk import load_large
from workflow.services.finance import reconcile


@pytest.fixture
def large(workflow, tmp_path):
    load_demo(workflow, tmp_path / "uploads")
    with workflow.db.connect() as connection:
        small = connection.execute(select(func.count()).select_from(Application)).scalar_one()
    return {**load_large(workflow, applications=600, years=5, seed=7, chunk=250), "small_demo": small}


def test_generated_history_verifies_and_money_reconciles(workflow, db_engine, large):
    with db_engine.connect() as connection:
        assert verify_all(connection) == []
        assert reconcile(connection) == []
        programs = Counter(connection.execute(select(Application.program_key)).scalars())
        events = connection.execute(select(func.count()).select_from(HistoryEvent)).scalar_one()
        stays = connection.execute(select(func.count()).select_from(StateStay)).scalar_one()
        links = connection.execute(select(func.count()).select_from(CompanyApplication)).scalar_one()
        values = connection.execute(select(func.count()).select_from(IndicatorValue)).scalar_one()
        companies = connection.execute(select(func.count()).select_from(Company)).scalar_one()
    assert set(programs) == set(workflow.registry.current)
    assert sum(programs.values()) == 600 + large["small_demo"]  # and the small demo's own
    assert events >= 600 and stays > 0 and links > 0 and values > 0 and companies >= 50
    assert large["applications"] == 600 and large["awards"] > 0


def test_generated_missed_deadlines_summarise_the_fired_deadline_timers(db_engine, large):
    query = text(
        "SELECT t.id, a.program_key, t.due_at FROM timers t JOIN applications a ON a.id = t.application_id"
        " WHERE t.kind = 'deadline' AND t.status = 'fired' ORDER BY t.id"
    )
    with db_engine.connect() as connection:
        fired = [tuple(row) for row in connection.execute(query)]
        summary = connection.execute(
            text("SELECT timer_id, program_key, due_at FROM missed_deadlines ORDER BY 1")
        )
        assert fired and [tuple(row) for row in summary] == fired


def test_generated_rows_carry_the_columns_the_engine_keeps(workflow, db_engine, large):
    """The board's search text and sort columns of generated rows are what the engine would write."""
    from workflow.engine.search_text import data_text
    from workflow.engine.sort_keys import key_values

    programs = workflow.registry.current
    with db_engine.connect() as connection:
        users = {u.id: u for u in connection.execute(select(User.id, User.name, User.organisation))}
        dues = {
            (t.application_id, t.state, t.created_at): t.due_at
            for t in connection.execute(
                select(Timer.application_id, Timer.state, Timer.created_at, Timer.due_at).where(
                    Timer.kind == "deadline"
                )
            )
        }
        rows = connection.execute(select(Application).order_by(Application.id.desc()).limit(600)).mappings()
        deadlines = 0
        for row in rows:
            program, user = programs[row["program_key"]], users[row["applicant_id"]]
            applicant = f"{user.name} {user.organisation or ''}".lower()
            assert row["search_text"] == f"{data_text(program, row['data'])} {applicant}".strip()
            assert {name: row[name] for name in ("key_title", "key_amount")} == key_values(
                program, row["data"]
            )
            assert row["applicant_name"] == user.name
            due = dues.get((row["id"], row["state"], row["state_entered_at"]))
            assert row["open_deadline"] == due, row["id"]
            deadlines += due is not None
    assert deadlines > 0


def test_a_second_large_load_is_refused(workflow, large):
    with pytest.raises(RuntimeError, match="already loaded"):
        load_large(workflow, applications=10)


def test_dashboard_figures_on_generated_data_match_the_independent_computation(workflow, db_engine, large):
    now = workflow.clock()
    assert check_figures(workflow, db_engine, now, {}) > 50
    assert check_figures(workflow, db_engine, now, {"year": str(now.year - 2)}) > 0


def test_the_engine_carries_on_from_generated_data(workflow, db_engine, people, large):
    """A generated application is an ordinary one: the officer can act on it through fire()."""
    with db_engine.connect() as connection:
        app_id = connection.execute(
            select(Application.id).where(Application.state == "screening").limit(1)
        ).scalar_one()
    result = workflow.fire(app_id, "request_changes", people.officer, reason="보완")
    assert result.ok, result.reason("en")
    with db_engine.connect() as connection:
        assert verify_all(connection) == []
