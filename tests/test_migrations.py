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
