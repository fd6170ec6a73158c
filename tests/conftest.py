"""Fixtures: a migrated database (SQLite file, or PostgreSQL with `-m postgres` params), the engine
with a controllable clock, and people holding every role."""

from __future__ import annotations

import dataclasses
import itertools
import os
import shutil
import signal
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import text

from workflow.config import PROJECT_ROOT
from workflow.db import make_engine
from workflow.definitions import registry as registry_module
from workflow.definitions.registry import DefinitionRegistry
from workflow.engine import Workflow
from workflow.engine.actors import SYSTEM, load_actor
from workflow.extensions import install
from workflow.schema import upgrade
from workflow.services.files import FileStore
from workflow.services.users import create_user

install()  # the built-in extensions (money, notice channels), as create_app does
RULES_DIR = PROJECT_ROOT / "rules"
TEMPLATES_DIR = PROJECT_ROOT / "templates" / "notices"
FIXTURES = Path(__file__).parent / "fixtures"


def rules_folder(tmp_path: Path, *files: Path) -> Path:
    """A rules folder of the test's own: copies of the given rule files, each under its own name."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for file in files:
        shutil.copy(file, folder / file.name)
    return folder


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The services' addresses come from TEST_* variables only: the app's own variables (DATABASE_URL,
# REDIS_URL, SMTP_HOST, ...) may be exported for a developer's server and never reach a test app.
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
# what a child process (a worker, gunicorn) may inherit from the developer's environment
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT")


def _compile_each_rule_file_once() -> None:
    """Every test builds its own app and registry from the same rule files: each file's text is compiled
    once per test process (a compiled program is read-only and already shared by a server's threads).
    Only files read with the shipped notice templates, which no test changes; each caller gets its own
    LoadResult, since cross-checks append problems to it."""
    original = registry_module.load_file
    shipped_templates = TEMPLATES_DIR.resolve()
    compiled: dict[tuple[str, str], object] = {}

    def load_file(path, template_exists):
        directory = getattr(template_exists, "directory", None)
        if directory is None or Path(directory).resolve() != shipped_templates:
            return original(path, template_exists)
        try:
            key = (str(Path(path).resolve()), Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return original(path, template_exists)
        if key not in compiled:
            compiled[key] = original(path, template_exists)
        result = compiled[key]
        return dataclasses.replace(result, problems=list(result.problems))

    registry_module.load_file = load_file


_compile_each_rule_file_once()


class _PageTemplatesCompiledOnce(BytecodeCache):
    """Every test builds its own app, whose Jinja environment compiled each page template again (a
    tenth of a web test's time): the compiled code is kept per test process, keyed as Jinja keys it
    (the template's name and file) and used only while the source's checksum matches."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


# the apps' Jinja environments are made alike (create_app), so compiled code is the same for each
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _PageTemplatesCompiledOnce()}


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (`make test`): one worker more than the CPUs. A worker often waits (for a browser, a
    server or worker process starting, PostgreSQL): with one per CPU the CPUs were idle for a third of
    the run. PYTEST_XDIST_AUTO_NUM_WORKERS, if set, still decides."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cpus + 1


LONG_TESTS_WITHIN = 0.6  # the long tests start within the first 60 % of the run, spread evenly


def _long(item) -> bool:
    """A browser test (tests/e2e) or one marked `slow` (servers, worker processes, thousands of requests)."""
    return "e2e" in item.path.relative_to(Path(__file__).parent).parts or item.get_closest_marker("slow")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The long tests spread over the first part of the run, one every few short ones. pytest-xdist
    (`make test`) hands each worker consecutive runs of the collected tests: in collection order, the
    first worker got every browser test and the run lasted as long as they did, and a long test
    collected late ended the run late. Short tests keep their order; every worker orders alike."""
    long = [item for item in items if _long(item)]
    short = [item for item in items if not _long(item)]
    if not long or not short:
        return
    gap = max(1, int(len(short) * LONG_TESTS_WITHIN) // len(long))
    rest = iter(short)
    items[:] = [item for test in long for item in (test, *itertools.islice(rest, gap))] + list(rest)


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots", action="store_true", help="e2e: save a screenshot of every step (test-output/e2e/)"
    )


def child_env(**settings) -> dict:
    """The environment for a server or worker a test starts: the basics of this one, none of the app's
    own variables (a developer's REDIS_URL, SMTP_HOST, ...), then `settings`."""
    inherited = {name: os.environ[name] for name in INHERITED if name in os.environ}
    return {**inherited, **{name: str(value) for name, value in settings.items()}}


@pytest.fixture(autouse=True)
def _signal_handlers_restored():
    """An in-process rq worker installs its own SIGINT/SIGTERM handlers (which raise StopRequested) and
    leaves them: a later test's stopped child process would then interrupt this one mid-query."""
    kept = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in kept.items():
        if signal.getsignal(number) is not handler:
            signal.signal(number, handler)


class Clock:
    """A controllable clock: tests move time forward instead of sleeping."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def service_missing(what: str, error: Exception):
    if IN_CI:
        pytest.fail(f"{what} is required in CI but not reachable: {error}")
    pytest.skip(f"{what} not reachable on this machine: {error}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    name = f"grants_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=None, pool_size=1)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any connection failure means "no PostgreSQL here"
        admin.dispose()
        service_missing("PostgreSQL", error)
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _all_tables() -> list[str]:
    import workflow.models  # noqa: F401  (every table registered)
    from workflow.db import Base

    return [table.name for table in Base.metadata.sorted_tables]


def _sqlite_engine(sqlite_template, tmp_path):
    path = tmp_path / "grants.sqlite3"
    shutil.copy(sqlite_template, path)
    return make_engine(f"sqlite:///{path}")


def _postgres_engine(url):
    """The session's database emptied, numbering from 1 again. DELETE with triggers off (the history's
    append-only guards, the foreign keys) and setval: a TRUNCATE of every table takes about a second."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(";".join(f"DELETE FROM {name}" for name in _all_tables())))
        sequences = connection.execute(text("SELECT schemaname || '.' || sequencename FROM pg_sequences"))
        restart = [f"setval('{name}', 1, false)" for name in sequences.scalars()]
        if restart:
            connection.execute(text("SELECT " + ", ".join(restart)))
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_engine(request, sqlite_template, tmp_path):
    """The database behind one test: each engine test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        engine = _sqlite_engine(sqlite_template, tmp_path)
    else:
        engine = _postgres_engine(request.getfixturevalue("postgres_url"))
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_template, tmp_path):
    engine = _sqlite_engine(sqlite_template, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 5, 4, 1, 0, tzinfo=UTC))  # 10:00 in Seoul, inside the 2026 rounds


def make_workflow(engine, clock, rules_dir=RULES_DIR) -> Workflow:
    registry = DefinitionRegistry(rules_dir, TEMPLATES_DIR)
    registry.load()
    assert not registry.problems, registry.problems
    return Workflow(engine, registry, clock=clock)


@pytest.fixture
def workflow(db_engine, clock) -> Workflow:
    return make_workflow(db_engine, clock)


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "uploads")


class People:
    """One actor per role; `applicant` owns the applications the tests create, `other` does not."""

    def __init__(self, engine, programs_dir: Path = RULES_DIR):
        programs = tuple(sorted(path.stem for path in programs_dir.glob("*.yaml")))  # file name = key
        spec = {
            "applicant": ("applicant@test.kr", []),
            "other": ("other@test.kr", []),
            "officer": ("officer@test.kr", [("officer", p) for p in programs]),
            "other_officer": ("officer2@test.kr", [("officer", "some-other-program")]),
            "finance": ("finance@test.kr", [("finance", p) for p in programs]),
            "auditor": ("auditor@test.kr", [("auditor", None)]),
            "admin": ("admin@test.kr", [("admin", None)]),
            **{f"reviewer{i}": (f"reviewer{i}@test.kr", [("reviewer", None)]) for i in range(1, 6)},
        }
        with engine.begin() as connection:
            ids = {
                name: create_user(connection, email, name, roles=roles)
                for name, (email, roles) in spec.items()
            }
        with engine.connect() as connection:
            for name, user_id in ids.items():
                setattr(self, name, load_actor(connection, user_id))
        self.system = SYSTEM

    @property
    def reviewers(self):
        return [getattr(self, f"reviewer{i}") for i in range(1, 6)]


@pytest.fixture
def people(db_engine) -> People:
    return People(db_engine)
