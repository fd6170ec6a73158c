"""Publishing rule files is a command (`flask rules publish`, a step of `flask db upgrade`); `create_app`
writes nothing. `flask rules check` resolves references against RULES_DIR and compares with the database."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select, text

from tests.conftest import RULES_DIR, Clock
from tests.factories import startup_data
from workflow.app import create_app
from workflow.db import Base, make_engine
from workflow.engine.actors import load_actor
from workflow.schema import upgrade
from workflow.services.files import FileStore
from workflow.services.users import create_user


@pytest.fixture
def rules(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'publish.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    yield url, engine
    engine.dispose()


def _app(tmp_path, url, rules):
    return create_app(
        "test", {"DATABASE_URL": url, "RULES_DIR": str(rules), "UPLOAD_DIR": str(tmp_path / "up")}
    )


def _rows(engine) -> dict[str, int]:
    import workflow.models  # noqa: F401  (every table registered)

    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def _with_an_application(tmp_path, url, rules, engine) -> None:
    """Publish, then one application of startup-support (its version is now in use)."""
    app = _app(tmp_path, url, rules)
    assert app.test_cli_runner().invoke(args=["rules", "publish"]).exit_code == 0
    workflow = app.extensions["workflow"]
    workflow.clock = Clock(workflow.clock().replace(year=2026, month=5, day=4))
    with engine.begin() as connection:
        user_id = create_user(connection, "a@test.kr", "신청인")
    with engine.connect() as connection:
        applicant = load_actor(connection, user_id)
    created = workflow.create("startup-support", applicant, startup_data(FileStore(tmp_path / "up")))
    assert created.ok, created.reason("en")
    workflow.db.dispose()


def test_create_app_writes_nothing_to_the_database(tmp_path, database, rules):
    url, engine = database
    before = _rows(engine)
    app = _app(tmp_path, url, rules)
    app.extensions["workflow"].db.dispose()
    assert _rows(engine) == before, "no snapshot, budget or any other row from create_app"


def test_create_app_refuses_a_changed_file_in_use_without_writing(tmp_path, database, rules):
    url, engine = database
    _with_an_application(tmp_path, url, rules, engine)
    path = rules / "startup-support.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("days: 14", "days: 7"), encoding="utf-8")
    before = _rows(engine)
    app = _app(tmp_path, url, rules)
    assert "startup-support" not in app.extensions["workflow"].registry.current
    app.extensions["workflow"].db.dispose()
    assert _rows(engine) == before


def test_rules_publish_and_db_upgrade_store_the_snapshots(tmp_path, database, rules):
    url, engine = database
    runner = _app(tmp_path, url, rules).test_cli_runner()
    published = runner.invoke(args=["rules", "publish"])
    assert published.exit_code == 0 and "published startup-support 2026.3" in published.output
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM definition_snapshots")).scalar_one()
    assert stored == len(list(rules.glob("*.yaml")))
    again = runner.invoke(args=["db", "upgrade"])
    assert again.exit_code == 0 and "published regulation-exception" in again.output


def test_rules_check_reports_a_file_changed_under_a_version_in_use(tmp_path, database, rules):
    url, engine = database
    _with_an_application(tmp_path, url, rules, engine)
    path = rules / "startup-support.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("days: 14", "days: 7"), encoding="utf-8")
    result = _app(tmp_path, url, rules).test_cli_runner().invoke(args=["rules", "check", str(path)])
    assert result.exit_code == 1
    assert (
        "startup-support 2026.3 is published and 1 application(s) use it, but the file changed"
        in result.output
    )
    assert f"{path}:5:1:" in result.output, "it points at the version line"


def test_rules_check_of_one_file_resolves_programs_it_opens_in_rules_dir(tmp_path, database, rules):
    url, _engine = database
    runner = _app(tmp_path, url, RULES_DIR).test_cli_runner()
    result = runner.invoke(args=["rules", "check", str(RULES_DIR / "regulatory-difficulty.yaml")])
    assert result.exit_code == 0, result.output
    assert "ok (regulatory-difficulty" in result.output and "regulation-exception" not in result.output


def _open_line(path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if "program: regulation-exception" in line)


def test_an_open_of_a_missing_program_points_at_the_open_line(tmp_path, database, rules):
    url, _engine = database
    (rules / "regulation-exception.yaml").unlink()
    reporting = rules / "regulatory-difficulty.yaml"
    result = _app(tmp_path, url, rules).test_cli_runner().invoke(args=["rules", "check", str(reporting)])
    assert result.exit_code == 1
    assert f"{reporting}:{_open_line(reporting)}:" in result.output
    assert "opens program 'regulation-exception', but no rule file has that key" in result.output


def test_an_open_of_a_refused_program_says_it_was_refused_and_why(tmp_path, database, rules):
    url, _engine = database
    other = rules / "regulation-exception.yaml"
    other.write_text(
        other.read_text(encoding="utf-8").replace("initial: true", "initial: yes please"), encoding="utf-8"
    )
    reporting = rules / "regulatory-difficulty.yaml"
    result = _app(tmp_path, url, rules).test_cli_runner().invoke(args=["rules", "check", str(reporting)])
    assert result.exit_code == 1
    line = next(
        row for row in result.output.splitlines() if row.startswith(f"{reporting}:{_open_line(reporting)}:")
    )
    assert (
        "its file regulation-exception.yaml was refused: states.draft.initial: should be true or false"
        in line
    )
    assert result.output.count(str(reporting)) == 1, "printed once"
