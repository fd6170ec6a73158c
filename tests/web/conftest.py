"""Web fixtures: an app on a migrated database (SQLite, or PostgreSQL for `db_engine` users), a client,
people with passwords (cheap argon2 parameters), and `login(client, who)`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

from tests.conftest import RULES_DIR, People
from tests.factories import AGREEMENT, reviewed_startup
from workflow.app import create_app
from workflow.models import User

PASSWORD = "correct-horse-battery"
FAST_HASH = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(PASSWORD)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def make_app(engine, clock, tmp_path, **overrides):
    settings = {"DATABASE_URL": "sqlite://", "UPLOAD_DIR": str(tmp_path / "uploads")}
    settings["NOTICE_MAIL_DIR"] = str(tmp_path / "mail")
    app = create_app("test", {**settings, **overrides})
    workflow = app.extensions["workflow"]
    workflow.db.dispose()
    workflow.db = engine
    workflow.clock = clock
    app.extensions["db_engine"] = engine
    return app


@pytest.fixture
def app(sqlite_engine, clock, tmp_path):
    return make_app(sqlite_engine, clock, tmp_path)


def people_with_passwords(app, programs_dir: Path = RULES_DIR) -> People:
    """One actor per role (staff roles on the programs of `programs_dir`), each able to sign in."""
    engine = app.extensions["workflow"].db
    people = People(engine, programs_dir=programs_dir)
    with engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    return people


@pytest.fixture
def web_people(app) -> People:
    return people_with_passwords(app)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf token on the page"
    return match.group(1) or match.group(2)


def login(client, actor) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": _email(client, actor), "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 302, response.text


def _email(client, actor) -> str:
    from sqlalchemy import select

    engine = client.application.extensions["workflow"].db
    with engine.connect() as connection:
        return connection.execute(select(User.email).where(User.id == actor.id)).scalar_one()


def post_form(client, url: str, data: dict, page_url: str | None = None, **kwargs):
    """POST with the CSRF token of the page the form lives on (default: the same URL)."""
    page = client.get(page_url or url)
    return client.post(url, data={**data, "csrf_token": csrf_of(page.text)}, **kwargs)


@pytest.fixture
def paid(app, web_people, store) -> int:
    """A startup-support award of 45,000,000 with its first tranche paid (the payment notice went to the
    applicant and to finance)."""
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "select", web_people.officer).ok
    assert workflow.fire(app_id, "sign_agreement", web_people.applicant, data=AGREEMENT).ok
    assert workflow.fire(app_id, "pay_first_tranche", web_people.finance).ok
    return app_id
