"""Schema migrations (Alembic) from the app's configuration."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from workflow.config import PROJECT_ROOT
from workflow.db import normalise_url


def alembic_config(url: str, connection=None) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine, revision: str = "heads") -> None:
    """Migrate the database behind `engine` (SQLite file or PostgreSQL) to `revision`."""
    with engine.begin() as connection:
        command.upgrade(
            alembic_config(str(engine.url.render_as_string(hide_password=False)), connection), revision
        )
