"""The database itself refuses a write that would break a money invariant, whatever the code does."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.money.helpers import assert_invariants, submitted
from workflow.services import finance

BREAKING = {
    "committed above total": "UPDATE program_budgets SET committed = total + 1",
    "paid above committed": "UPDATE program_budgets SET paid = committed + 1",
    "recovered above paid (budget)": "UPDATE program_budgets SET recovered = paid + 1",
    "negative interest": "UPDATE program_budgets SET interest = -1",
    "paid above award": "UPDATE awards SET paid = amount + 1",
    "recovered above paid (award)": "UPDATE awards SET recovered = paid + 1",
    "half a foreign amount": "UPDATE awards SET fx_currency = 'USD'",
    "unknown ledger kind": (
        "INSERT INTO ledger (budget_id, award_id, application_id, kind, amount, event_seq, at)"
        " SELECT budget_id, id, application_id, 'refund', 1, 0, created_at FROM awards"
    ),
    # inside every limit, but no longer what the ledger says: refused by migration 0002's triggers
    "committed moved without the ledger": "UPDATE program_budgets SET committed = committed - 1",
    "award paid without the ledger": "UPDATE awards SET paid = paid + 1",
}


@pytest.fixture
def paid_award(money, staff):
    app_id = submitted(money, staff, requested=10_000_000)
    assert money.fire(app_id, "approve", staff.officer).ok
    assert money.fire(app_id, "pay", staff.finance).ok
    return app_id


@pytest.mark.parametrize("statement", BREAKING.values(), ids=BREAKING.keys())
def test_breaking_update_is_refused_by_the_database(money, paid_award, statement):
    with pytest.raises(IntegrityError), money.db.begin() as connection:
        connection.execute(text(statement))
    with money.db.connect() as connection:
        assert_invariants(connection)


def test_ledger_is_append_only(money, paid_award):
    for statement in ("UPDATE ledger SET amount = amount + 1", "DELETE FROM ledger"):
        with pytest.raises(DBAPIError), money.db.begin() as connection:
            connection.execute(text(statement))


@pytest.mark.postgres
@pytest.mark.parametrize("db_engine", ["postgres"], indirect=True)
def test_postgres_refuses_a_ledger_row_without_its_totals_at_commit(money, paid_award):
    """A deferred constraint trigger (PostgreSQL only; SQLite checks the totals on UPDATE)."""
    with pytest.raises(IntegrityError), money.db.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO ledger (budget_id, award_id, application_id, kind, amount, event_seq, at)"
                " SELECT budget_id, id, application_id, 'pay', 1, 0, created_at FROM awards"
            )
        )


def test_reconcile_finds_what_sqlite_cannot_refuse_at_once(money, paid_award):
    """A hand-inserted ledger row: PostgreSQL refuses it at COMMIT; on SQLite the audit reports it."""
    with money.db.connect() as connection:
        assert finance.reconcile(connection) == []
    insert_row = text(
        "INSERT INTO ledger (budget_id, award_id, application_id, kind, amount, event_seq, at)"
        " SELECT budget_id, id, application_id, 'pay', 7, 0, created_at FROM awards"
    )
    if money.db.dialect.name == "postgresql":
        with pytest.raises(IntegrityError), money.db.begin() as connection:
            connection.execute(insert_row)
        expected = []
    else:
        with money.db.begin() as connection:
            connection.execute(insert_row)
        expected = [
            "budget tiny-grant 2026: paid 5000000 ≠ ledger 5000007",
            "award 1: paid 5000000 ≠ ledger 5000007",
        ]
    with money.db.connect() as connection:
        assert finance.reconcile(connection) == expected
