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


def test_missed_deadlines_migration_backfills_the_fired_deadline_timers(tmp_path):
    """0012 fills missed_deadlines from the timers already fired (deadlines only), with their program."""
    import sqlite3

    from sqlalchemy import text

    from workflow.db import make_engine
    from workflow.schema import upgrade

    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, "0011")
    engine.dispose()
    raw = sqlite3.connect(path)  # foreign keys off: no user or snapshot rows are needed for this check
    for app_id, program in ((1, "startup-support"), (2, "regulation-exception")):
        raw.execute(
            "INSERT INTO applications (id, program_key, program_version, definition_sha, state, data,"
            " event_data, row_version, applicant_id, history_seq, history_head, created_at, updated_at,"
            " state_entered_at) VALUES (?, ?, '1', 's', 'x', '{}', '{}', 1, 1, 0, '', '2026-01-01',"
            " '2026-01-01', '2026-01-01')",
            (app_id, program),
        )
    timers = [
        (1, 1, "deadline", "fired", "2026-02-01 09:00:00.000000"),
        (2, 1, "deadline", "cancelled", "2026-02-02 09:00:00.000000"),
        (3, 2, "reminder", "fired", "2026-02-03 09:00:00.000000"),
        (4, 2, "deadline", "fired", "2026-02-04 09:00:00.000000"),
        (5, 2, "deadline", "pending", "2026-02-05 09:00:00.000000"),
    ]
    for timer in timers:
        raw.execute(
            "INSERT INTO timers (id, application_id, state, kind, action, due_at, status, created_at)"
            " VALUES (?, ?, 'x', ?, '{}', ?, ?, '2026-01-01')",
            (timer[0], timer[1], timer[2], timer[4], timer[3]),
        )
    raw.commit()
    raw.close()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT timer_id, program_key, due_at FROM missed_deadlines ORDER BY timer_id")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        (1, "startup-support", "2026-02-01 09:00:00.000000"),
        (4, "regulation-exception", "2026-02-04 09:00:00.000000"),
    ]
