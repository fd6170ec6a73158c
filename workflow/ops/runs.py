"""The last run of each periodic command, kept in `ops_runs` (one row per name, overwritten)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from workflow.models import OpsRun


def record_run(engine, name: str, started_at, finished_at, ok: bool, detail: str = "") -> None:
    """Overwrite the row of `name` with this run (an upsert: two machines ticking never conflict)."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    values = {
        "name": name,
        "started_at": started_at,
        "finished_at": finished_at,
        "ok": ok,
        "detail": detail[:2000],
    }
    statement = dialect.insert(OpsRun).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[OpsRun.name], set_={k: v for k, v in values.items() if k != "name"}
    )
    with engine.begin() as connection:
        connection.execute(statement)


def last_runs(connection) -> dict[str, dict]:
    """name → {started_at, finished_at, ok, detail} of every command that ever ran."""
    return {row["name"]: dict(row) for row in connection.execute(select(OpsRun)).mappings()}
