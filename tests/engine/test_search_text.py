"""The board's search column: the engine keeps `search_text` on every write of the data, the board
searches it alone (one indexed column), and PostgreSQL serves it from a trigram index."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from tests.conftest import make_workflow
from tests.engine.programs import ENGINE_PROGRAMS, GRANT
from tests.factories import startup_data
from workflow.models import Application
from workflow.services.board import board
from workflow.services.files import FileStore


@pytest.fixture
def workflow(db_engine, clock):
    return make_workflow(db_engine, clock, ENGINE_PROGRAMS)


def _text(engine, application_id: int) -> str:
    with engine.connect() as connection:
        return connection.execute(
            select(Application.search_text).where(Application.id == application_id)
        ).scalar_one()


def test_the_engine_keeps_the_search_text(workflow, people, tmp_path):
    data = startup_data(FileStore(tmp_path), company_name="ＡＢＣ  헬스케어")
    created = workflow.create(GRANT, people.applicant, data)
    assert created.ok
    assert _text(workflow.db, created.application_id) == "abc 헬스케어 applicant"
    assert workflow.save_draft(created.application_id, people.applicant, {"company_name": "메디로봇"}).ok
    assert _text(workflow.db, created.application_id) == "메디로봇 applicant"
    assert workflow.fire(created.application_id, "submit", people.applicant).ok
    assert _text(workflow.db, created.application_id) == "메디로봇 applicant"


def test_the_board_finds_by_title_applicant_and_number(workflow, people, tmp_path):
    store = FileStore(tmp_path)
    first = workflow.create(
        GRANT, people.applicant, startup_data(store, company_name="메디로봇")
    ).application_id
    other = workflow.create(GRANT, people.other, startup_data(store, company_name="50%_할인")).application_id
    program = workflow.registry.latest(GRANT)
    with workflow.db.connect() as connection:

        def found(q):
            return [r["id"] for r in board(connection, program, q=q).rows]

        assert found("디로") == [first]
        assert found("OTHER") == [other]  # the applicant's name, any case
        assert found("50%") == [other] and found("%") == [other]  # LIKE's wildcards are literal
        assert found(str(first)) == [first]
        assert found("없는이름") == []


@pytest.mark.parametrize("db_engine", ["postgres"], indirect=True)  # a trigram index is PostgreSQL's
def test_postgres_serves_the_search_from_the_trigram_index(db_engine, workflow, people, tmp_path):
    with db_engine.connect() as connection:
        definition = connection.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_applications_search'")
        ).scalar_one()
        assert "gin" in definition and "gin_trgm_ops" in definition
        connection.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            connection.execute(
                text("EXPLAIN SELECT id FROM applications WHERE search_text LIKE :p"),
                {"p": "%메디로봇%"},
            ).scalars()
        )
    assert "ix_applications_search" in plan


@pytest.mark.parametrize("db_engine", ["postgres"], indirect=True)
def test_postgres_reads_the_default_order_from_an_index(db_engine, workflow):
    """Number order with no NULLS LAST: PostgreSQL walks the primary key instead of sorting every row."""
    from sqlalchemy.dialects import postgresql

    from workflow.services import board as board_module

    statements = []
    program = workflow.registry.latest(GRANT)
    with db_engine.connect() as connection:
        original = connection.execute

        def capture(statement, *args, **kwargs):
            statements.append(str(statement.compile(dialect=postgresql.dialect())))
            return original(statement, *args, **kwargs)

        connection.execute = capture
        board_module.board(connection, program)
    ids_query = next(s for s in statements if "LIMIT" in s)
    assert "NULLS LAST" not in ids_query
