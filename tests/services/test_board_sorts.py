"""Every order of the officer's board, read from the columns the engine keeps on the application row
(workflow/engine/sort_keys.py), equals a plain Python sort of the values they come from (the data through
the rule file's `key_fields:`, the timers, the reviews, the applicant), on SQLite and PostgreSQL, over
every page; and those columns stay right after draft saves, corrections, moves, timers and renames."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from tests.conftest import FIXTURES, People, make_workflow, rules_folder
from tests.factories import reviewed_startup, startup_data, submitted_startup
from workflow.audit.verify import Scope, verify
from workflow.engine.sort_keys import KEY_TITLE_LENGTH, key_amount, key_title
from workflow.engine.timers import tick
from workflow.models import Application, ReviewAssignment, ReviewRound, Timer, User
from workflow.services import board as board_service
from workflow.services.board import board
from workflow.services.board_columns import SORT_COLUMNS

KEY = "startup-support"


def _sources(workflow) -> list[dict]:
    """Each application's sort values worked out from where they come from, not from the sort columns."""
    program = workflow.registry.latest(KEY)
    with workflow.db.connect() as connection:
        apps = connection.execute(
            select(Application, User.name.label("user_name"))
            .join(User, User.id == Application.applicant_id)
            .where(Application.program_key == KEY)
        ).mappings()
        rows = []
        for a in apps:
            rounds = connection.execute(
                select(ReviewRound.round).where(ReviewRound.application_id == a["id"])
            ).scalars()
            current = max(rounds, default=1)
            totals = connection.execute(
                select(ReviewAssignment.total).where(
                    ReviewAssignment.application_id == a["id"],
                    ReviewAssignment.round == current,
                    ReviewAssignment.submitted_at.is_not(None),
                )
            ).scalars()
            totals = list(totals)
            dues = connection.execute(
                select(Timer.due_at).where(
                    Timer.application_id == a["id"],
                    Timer.kind == "deadline",
                    Timer.state == a["state"],
                    Timer.status != "cancelled",
                )
            ).scalars()
            rows.append(
                {
                    "id": a["id"],
                    "number": a["id"],
                    "title": a["data"].get(program.title_field),
                    "applicant": a["user_name"],
                    "state": a["state"],
                    "amount": program.amount_of(a["data"]),
                    "updated": a["updated_at"],
                    "deadline": max(dues, default=None),
                    "score": sum(totals) / len(totals) if totals else None,
                }
            )
    return rows


def _python_order(rows, key: str, descending: bool) -> list[int]:
    """Values in order, missing ones last either way, the newest first among equals."""
    newest_first = sorted(rows, key=lambda r: r["id"], reverse=True)
    valued = [r for r in newest_first if r[key] is not None]
    valued.sort(key=lambda r: r[key], reverse=descending)  # stable: ties stay newest first
    return [r["id"] for r in valued + [r for r in newest_first if r[key] is None]]


@pytest.fixture
def varied(workflow, people, store, clock):
    """Applications in several steps with titles, amounts, deadlines and scores that tie and go missing."""
    made = []
    for name, amount in (("가람", 30_000_000), ("나래", 45_000_000), ("가람", 30_000_000)):
        made.append(submitted_startup(workflow, people, store, company_name=name, requested_amount=amount))
        clock.advance(hours=1)
    made.append(reviewed_startup(workflow, people, store, score=(20, 30, 20)))
    made.append(reviewed_startup(workflow, people, store, score=(30, 40, 30)))
    made.append(reviewed_startup(workflow, people, store, score=(20, 30, 20)))
    changes = submitted_startup(workflow, people, store, company_name="다솜")
    assert workflow.fire(changes, "request_changes", people.officer, reason="보완").ok
    made.append(changes)
    for data in ({}, {"company_name": "라온"}, {"requested_amount": 5_000_000}):  # drafts lacking values
        created = workflow.create(KEY, people.other, data)
        assert created.ok, created.reason("en")
        made.append(created.application_id)
        clock.advance(minutes=5)
    return made


@pytest.mark.parametrize("key", sorted(SORT_COLUMNS))
def test_every_order_equals_a_python_sort_over_every_page(workflow, varied, monkeypatch, key):
    monkeypatch.setattr(board_service, "PER_PAGE", 3)  # pages that cross from values to missing ones
    program = workflow.registry.latest(KEY)
    rows = _sources(workflow)
    with workflow.db.connect() as connection:
        for descending in (False, True):
            sort = ("-" if descending else "") + key
            first = board(connection, program, sort=sort)
            assert first.sort == sort
            shown = [
                r["id"]
                for page in range(1, first.pages + 1)
                for r in board(connection, program, page=page, sort=sort).rows
            ]
            assert shown == _python_order(rows, key, descending), sort
            order = sorted(rows, key=lambda r: shown.index(r["id"]))
            every = [r["id"] for r in board(connection, program, sort=sort, every_page=True).rows]
            assert every == shown
            narrowed = [
                r["id"] for r in board(connection, program, q="가람", sort=sort, every_page=True).rows
            ]
            assert narrowed == [r["id"] for r in order if r["title"] == "가람"]


def test_the_board_shows_what_the_columns_hold(workflow, varied):
    program = workflow.registry.latest(KEY)
    rows = {r["id"]: r for r in _sources(workflow)}
    with workflow.db.connect() as connection:
        shown = board(connection, program, every_page=True).rows
    for r in shown:
        expected = rows[r["id"]]
        assert (r["title"], r["amount"], r["deadline"], r["score"]) == (
            expected["title"],
            expected["amount"],
            expected["deadline"],
            expected["score"],
        )


def _columns(workflow, application_id: int) -> dict:
    with workflow.db.connect() as connection:
        return dict(
            connection.execute(
                select(
                    Application.key_title,
                    Application.key_amount,
                    Application.open_deadline,
                    Application.applicant_name,
                ).where(Application.id == application_id)
            )
            .mappings()
            .one()
        )


def test_the_columns_follow_draft_saves_moves_timers_and_renames(workflow, people, store, clock):
    created = workflow.create(KEY, people.applicant, startup_data(store, company_name="하늘"))
    app_id = created.application_id
    assert _columns(workflow, app_id) == {
        "key_title": "하늘",
        "key_amount": 45_000_000,
        "open_deadline": None,
        "applicant_name": "applicant",
    }
    assert workflow.save_draft(
        app_id, people.applicant, {"company_name": "바다", "requested_amount": 9_000_000}
    ).ok
    assert _columns(workflow, app_id)["key_title"] == "바다"
    assert _columns(workflow, app_id)["key_amount"] == 9_000_000
    assert workflow.fire(app_id, "submit", people.applicant).ok
    screening = _columns(workflow, app_id)["open_deadline"]
    assert screening is not None and screening > clock()  # screening's 14 days
    clock.advance(days=20)
    assert tick(workflow)  # the deadline fires (a notice): the step is overdue, the deadline stays
    assert _columns(workflow, app_id)["open_deadline"] == screening
    assert workflow.fire(app_id, "request_changes", people.officer, reason="보완").ok
    changes = _columns(workflow, app_id)["open_deadline"]
    assert changes is not None and changes != screening  # the new step's own deadline
    with workflow.db.connect() as connection:
        statuses = dict(
            connection.execute(
                select(Timer.state, Timer.status).where(
                    Timer.application_id == app_id, Timer.kind == "deadline"
                )
            ).all()
        )
    assert statuses == {"screening": "fired", "changes_requested": "pending"}
    assert workflow.fire(app_id, "submit", people.applicant).ok  # back to screening: changes' timer cancelled
    again = _columns(workflow, app_id)["open_deadline"]
    assert again is not None and again > clock()
    assert workflow.fire(app_id, "pass_screening", people.officer).ok  # a step without a deadline
    assert _columns(workflow, app_id)["open_deadline"] is None
    with workflow.db.begin() as connection:  # a renamed applicant is sorted by the new name
        connection.execute(update(User).where(User.id == people.applicant.id).values(name="새이름"))
    assert _columns(workflow, app_id)["applicant_name"] == "새이름"
    with workflow.db.connect() as connection:
        assert verify(connection, Scope(program=KEY)).ok  # the columns are no part of the chain


def test_the_title_column_keeps_a_bounded_start_and_json_for_other_values(workflow):
    """A title field without `max_length` may hold more than an index entry takes: its start is kept."""
    program = workflow.registry.latest(KEY)
    name = program.title_field
    assert key_title(program, {name: "가" * 5000}) == "가" * KEY_TITLE_LENGTH
    assert key_title(program, {name: 12}) == "12" and key_title(program, {}) is None
    assert key_amount(program, {program.amount_field: 2**70}) is None  # beyond a BIGINT: no value
    assert key_amount(program, {program.amount_field: True}) is None


@pytest.fixture
def corrected(db_engine, clock, tmp_path):
    folder = rules_folder(tmp_path, FIXTURES / "capabilities" / "corrected-grant.yaml")
    return make_workflow(db_engine, clock, folder), People(db_engine, programs_dir=folder)


def test_a_correction_by_staff_moves_the_amount_and_title(corrected):
    workflow, people = corrected
    data = {"company_name": "하늘바이오", "requested_amount": 20_000_000}
    app_id = workflow.create("corrected-grant", people.applicant, data).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    result = workflow.correct(
        app_id,
        "application",
        people.officer,
        {"requested_amount": "15,000,000", "company_name": "하늘"},
        "정정",
    )
    assert result.ok, result.reason("en")
    assert _columns(workflow, app_id)["key_amount"] == 15_000_000
    assert _columns(workflow, app_id)["key_title"] == "하늘"


@pytest.mark.parametrize("db_engine", ["postgres"], indirect=True)
def test_postgres_reads_each_order_from_an_index(db_engine, workflow, varied, monkeypatch):
    """With sorting and scans of the whole table priced out, each order's statements still plan without
    a sort of the rows: an index gives the order (an incremental sort by number among equal values at
    most), on a board of a few rows as on one of 100,000."""
    monkeypatch.setattr(board_service, "PER_PAGE", 3)
    program = workflow.registry.latest(KEY)
    statements: list = []
    with db_engine.connect() as connection:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            connection.execute(text(f"SET {setting} = off"))
        original = connection.execute

        def capture(statement, *args, **kwargs):
            if " LIMIT " in str(statement):
                statements.append(statement)
            return original(statement, *args, **kwargs)

        connection.execute = capture  # type: ignore[method-assign]
        for key in SORT_COLUMNS:
            for sort in (key, "-" + key):
                statements.clear()
                for page in (1, 4):  # the second reaches the rows without a value
                    board_service.board(connection, program, page=page, sort=sort)
                assert statements
                for statement in statements:
                    compiled = statement.compile(
                        dialect=db_engine.dialect, compile_kwargs={"literal_binds": True}
                    )
                    plan = "\n".join(original(text(f"EXPLAIN {compiled}")).scalars())
                    nodes = [line.strip().removeprefix("->  ") for line in plan.splitlines()]
                    assert not any(node.startswith("Sort  (") for node in nodes), (sort, plan)
