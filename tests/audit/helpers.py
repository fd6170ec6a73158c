"""What an attacker with database write access does: drop the protection, then change rows."""

from __future__ import annotations

from sqlalchemy import select, text

from tests.factories import reviewed_startup
from workflow.models import HistoryEvent

PROTECTED = ("history_events", "staff_events", "audit_digests", "read_log")


def drop_protection(connection) -> None:
    """Triggers off for this transaction (PostgreSQL: replica mode, so the shared test database keeps them)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        return
    for table in PROTECTED:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
        connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))


def events_of(connection, app_id: int) -> list[dict]:
    return [
        dict(row)
        for row in connection.execute(
            select(HistoryEvent).where(HistoryEvent.application_id == app_id).order_by(HistoryEvent.seq)
        ).mappings()
    ]


def reviewed(workflow, people, store) -> int:
    """An application with a draft, reviewers assigned, declarations and scores: a long chain."""
    return reviewed_startup(workflow, people, store)
