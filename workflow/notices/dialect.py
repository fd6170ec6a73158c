"""The one statement SQLite and PostgreSQL spell alike but SQLAlchemy builds per dialect."""

from __future__ import annotations

from functools import cache

from sqlalchemy.dialects import postgresql, sqlite


@cache
def _insert_ignoring(dialect_name: str, model):
    # built once per table: building the statement costs more than running it
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing()


def insert_ignoring_duplicates(connection, model, values: dict) -> int:
    """INSERT ... ON CONFLICT DO NOTHING; the number of rows inserted (0 if the row was there)."""
    return connection.execute(_insert_ignoring(connection.dialect.name, model), values).rowcount
