"""A database outage: every page answers 503 "try again in a moment" in the reader's language, with
Retry-After, from a page that needs no database — never gunicorn's bare error, never a trace."""

from __future__ import annotations

import logging

import pytest

from tests.notices.conftest import free_port
from tests.web.conftest import PASSWORD, csrf_of, login, make_app, people_with_passwords
from workflow.db import make_engine


class Outage:
    """An app on a working database until `start()`: from then on its database URL points where nothing
    listens. Flask handles errors raised while handling errors as in production (no propagation)."""

    def __init__(self, engine, clock, tmp_path):
        self.app = make_app(engine, clock, tmp_path, PROPAGATE_EXCEPTIONS=False)
        self.people = people_with_passwords(self.app)
        self.dead = make_engine(f"postgresql://grants@127.0.0.1:{free_port()}/grants")

    def start(self) -> None:
        self.app.extensions["workflow"].db = self.dead
        self.app.extensions["db_engine"] = self.dead


@pytest.fixture
def outage(sqlite_engine, clock, tmp_path):
    outage = Outage(sqlite_engine, clock, tmp_path)
    yield outage
    outage.dead.dispose()


def _is_unavailable_page(response, lang: str) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["Retry-After"] == "30"
    assert f'<html lang="{lang}">' in response.text
    assert "Traceback" not in response.text and "psycopg" not in response.text


def test_signing_in_during_an_outage_is_a_korean_503_with_retry_after(outage):
    client = outage.app.test_client()
    token = csrf_of(client.get("/login").text)
    outage.start()
    response = client.post(
        "/login", data={"email": "applicant@test.kr", "password": PASSWORD, "csrf_token": token}
    )
    _is_unavailable_page(response, "ko")
    assert "잠시 후 다시 시도해 주세요" in response.text


def test_the_language_comes_from_the_session_or_the_browser_not_the_database(outage):
    english = outage.app.test_client()
    login(english, outage.people.applicant)
    with english.session_transaction() as session:
        session["lang"] = "en"
    browser = outage.app.test_client()
    login(browser, outage.people.officer)
    outage.start()
    response = english.get("/my")  # loading the signed-in user needs the database
    _is_unavailable_page(response, "en")
    assert "Please try again in a moment." in response.text
    _is_unavailable_page(browser.get("/my", headers={"Accept-Language": "en"}), "en")
    _is_unavailable_page(browser.get("/my", headers={"Accept-Language": "ko,en;q=0.5"}), "ko")


def test_an_error_page_that_would_need_the_database_becomes_the_503(outage):
    client = outage.app.test_client()
    login(client, outage.people.applicant)
    outage.start()
    _is_unavailable_page(client.get("/no-such-page"), "ko")  # the 404 page shows the user's navigation


def test_autosave_during_an_outage_gets_json(outage):
    client = outage.app.test_client()
    login(client, outage.people.applicant)
    outage.start()
    response = client.get("/my", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.json["ok"] is False and "잠시 후" in response.json["message"]


def test_the_outage_is_logged_once_per_kind_not_per_request(outage, caplog, monkeypatch):
    from workflow.ops import failures

    monkeypatch.setattr(failures, "FAILURES", failures.FailureLog())
    client = outage.app.test_client()
    login(client, outage.people.applicant)
    outage.start()
    caplog.set_level(logging.INFO)
    for _ in range(3):
        assert client.get("/my").status_code == 503
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and lines[0].exc_info is None and "database unavailable" in lines[0].getMessage()
