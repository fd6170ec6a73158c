"""The Alembic migrations and the models describe the same schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import workflow.models  # noqa: F401
from workflow.db import Base
from workflow.schema import alembic_config


def test_migration_head_matches_the_models(db_engine):
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_single_history_of_revisions_reaches_every_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    heads = script.get_heads()
    assert heads, "no migrations"
    for head in heads:
        assert any(rev.revision == "0001" for rev in script.walk_revisions("base", head))


def test_account_notices_migration_keeps_every_notice_row_on_sqlite(tmp_path):
    """0005 makes outbox.application_id nullable without rebuilding the table: a rebuild would
    cascade-delete the deliveries, leases, notifications and letters that reference outbox rows."""
    import sqlite3

    from sqlalchemy import text

    from workflow.db import make_engine
    from workflow.schema import upgrade

    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, "0004")
    engine.dispose()
    raw = sqlite3.connect(path)  # foreign keys off: no application row is needed for this check
    raw.execute(
        "INSERT INTO outbox (id, application_id, event_seq, notice, template, recipients, channels, payload,"
        " status, attempts, created_at) VALUES (1, 7, 1, 'n', 't', '[]', '[]', '{}', 'sent', 1, '2026-01-01')"
    )
    raw.execute("INSERT INTO notice_runs (outbox_id, updated_at) VALUES (1, '2026-01-01')")
    raw.execute(
        "INSERT INTO users (id, email, name, language, active, created_at)"
        " VALUES (3, 'a@b.kr', 'A', 'ko', 1, '2026-01-01')"
    )
    raw.commit()
    raw.close()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM notice_runs")).scalar() == 1
        assert connection.execute(text("SELECT email_verified_at FROM users")).scalar() is not None
        connection.execute(
            text(
                "INSERT INTO outbox (application_id, user_id, event_seq, notice, template, recipients,"
                " channels, payload, status, attempts, created_at)"
                " VALUES (NULL, 3, 0, 'n', 't', '[]', '[]', '{}', 'pending', 0, '2026-01-01')"
            )
        )
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()
