"""The application factory: configuration, database, rule definitions, engine, commands, pages."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from workflow.config import CONFIGS, PROJECT_ROOT
from workflow.db import make_engine, make_session_factory
from workflow.definitions.registry import DefinitionRegistry
from workflow.engine import Workflow
from workflow.extensions import install
from workflow.services.users import use_hash_profile
from workflow.web.templating import PageEnvironment

log = logging.getLogger(__name__)


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    import os

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.jinja_environment = PageEnvironment
    config_class = CONFIGS[config_name or os.environ.get("GRANTS_CONFIG", "dev")]
    app.config.from_object(config_class)
    app.config.update(config_class.from_environment())
    app.config.update(overrides or {})
    config_class.finish(app.config)
    use_hash_profile(app.config.get("PASSWORD_HASH_PROFILE"))

    database_url = app.config["DATABASE_URL"]
    if database_url.startswith("sqlite:///") and "instance" in database_url:
        os.makedirs(app.instance_path, exist_ok=True)
    engine = make_engine(database_url)
    install(app.config["EXTENSIONS"])
    registry = DefinitionRegistry(app.config["RULES_DIR"], app.config["NOTICE_TEMPLATES_DIR"])
    registry.load()
    _log_refused(registry.problems)
    app.extensions["db_engine"] = engine
    app.extensions["db_session"] = make_session_factory(engine)
    app.extensions["workflow"] = Workflow(engine, registry)
    check_definitions(app)

    from workflow import cli, notices, ops, web

    notices.init_app(app)
    cli.init_app(app)
    web.init_app(app)
    ops.init_app(app)
    return app


def check_definitions(app: Flask) -> None:
    """Refuse files changed under a version applications use; read-only (publishing is `flask rules
    publish` / `flask db upgrade`, so workers booting together never race on writes)."""
    workflow: Workflow = app.extensions["workflow"]
    try:
        if not inspect(workflow.db).has_table("definition_snapshots"):
            return
        _log_refused(workflow.registry.check_published(workflow.db))
    except OperationalError as error:
        log.warning("database not reachable; definitions not checked against snapshots: %s", error)


def _log_refused(problems) -> None:
    """One line per refused file: `flask rules check` lists its problems (they were printed twice in
    a terminal, once by this log and once by the command)."""
    by_file: dict[str, int] = {}
    for problem in problems:
        by_file[problem.file] = by_file.get(problem.file, 0) + 1
    for file, count in by_file.items():
        log.warning(
            "rule file refused: %s (%d problem(s); `flask --app wsgi rules check %s` lists them)",
            file,
            count,
            file,
        )


def get_workflow(app: Flask) -> Workflow:
    return app.extensions["workflow"]
