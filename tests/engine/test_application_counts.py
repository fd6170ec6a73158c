"""The board's tabs read counters the database keeps per program and state (migration 0015's triggers,
in the transaction of each insert, move and delete): they always equal a real count of the rows,
whatever wrote them (the engine, an administrator's move, a bulk insert, a delete)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, insert, select, text

from tests.conftest import make_workflow
from tests.engine.programs import ENGINE_PROGRAMS, GRANT
from tests.factories import startup_data
from workflow.models import Application, ApplicationCount
from workflow.services.board import board, state_counts
from workflow.services.files import FileStore


@pytest.fixture
def workflow(db_engine, clock):
    return make_workflow(db_engine, clock, ENGINE_PROGRAMS)


def _real_counts(connection) -> dict[str, int]:
    rows = connection.execute(
        select(Application.state, func.count())
        .where(Application.program_key == GRANT)
        .group_by(Application.state)
    )
    return dict(rows.all())


def _kept(workflow) -> dict[str, int]:
    with workflow.db.connect() as connection:
        kept = state_counts(connection, [GRANT])[GRANT]
        assert kept == _real_counts(connection)
    return kept


def test_the_counters_follow_creates_moves_admin_moves_and_deletes(workflow, people, tmp_path):
    store = FileStore(tmp_path)
    ids = [workflow.create(GRANT, people.applicant, startup_data(store)).application_id for _ in range(3)]
    initial = workflow.registry.latest(GRANT).initial
    assert _kept(workflow) == {initial: 3}
    assert workflow.fire(ids[0], "submit", people.applicant).ok
    assert workflow.fire(ids[1], "submit", people.applicant).ok
    after_submit = _kept(workflow)
    assert after_submit[initial] == 1 and sum(after_submit.values()) == 3
    assert workflow.save_draft(ids[2], people.applicant, {"company_name": "메디로봇"}).ok  # no move
    assert _kept(workflow) == after_submit
    assert workflow.admin_move(ids[0], initial, people.admin, "잘못 접수되어 되돌림").ok
    assert _kept(workflow)[initial] == 2
    with workflow.db.begin() as connection:  # rows written around the engine are counted too
        row = dict(
            connection.execute(select(Application.__table__).where(Application.id == ids[2])).mappings().one()
        )
        row.pop("id")
        connection.execute(insert(Application), [{**row, "state": "bulk_loaded"} for _ in range(20)])
    assert _kept(workflow)["bulk_loaded"] == 20
    with workflow.db.begin() as connection:
        connection.execute(delete(Application).where(Application.state == "bulk_loaded"))
    assert "bulk_loaded" not in _kept(workflow)  # a state emptied out has no tab
    with workflow.db.connect() as connection:
        slots = connection.execute(select(func.count()).select_from(ApplicationCount)).scalar_one()
        assert slots <= 16 * 4  # a few rows per state, however many applications


def test_the_board_total_and_tabs_come_from_the_counters(workflow, people, tmp_path):
    store = FileStore(tmp_path)
    for _ in range(3):
        workflow.create(GRANT, people.applicant, startup_data(store))
    program = workflow.registry.latest(GRANT)
    with workflow.db.connect() as connection:
        page = board(connection, program)
        assert page.total == 3 and len(page.rows) == 3 and page.counts == {program.initial: 3}
        assert board(connection, program, state=program.initial).total == 3


@pytest.mark.parametrize("db_engine", ["postgres"], indirect=True)
def test_postgres_reads_deep_pages_from_the_program_and_number_index(db_engine, workflow):
    with db_engine.connect() as connection:
        # a tiny table (and, emptied between tests, its statistics stale): ask what the index can serve
        connection.execute(text("SET enable_seqscan = off; SET enable_bitmapscan = off"))
        plan = "\n".join(
            connection.execute(
                text(
                    "EXPLAIN SELECT id FROM applications WHERE program_key = 'x' "
                    "ORDER BY id DESC LIMIT 50 OFFSET 5000"
                )
            ).scalars()
        )
    assert "ix_applications_program_id" in plan and "Sort" not in plan
