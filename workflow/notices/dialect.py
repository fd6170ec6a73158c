"""The one statement SQLite and PostgreSQL spell alike but SQLAlchemy builds per dialect."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_duplicates(connection, model, values: dict) -> int:
    """INSERT ... ON CONFLICT DO NOTHING; the number of rows inserted (0 if the row was there)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return connection.execute(dialect.insert(model).values(**values).on_conflict_do_nothing()).rowcount
