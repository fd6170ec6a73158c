"""Test hygiene: a test app is built from explicit test settings only. A developer who exported their
server's variables (REDIS_URL, DATABASE_URL, SMTP_HOST, SECRET_KEY, ...) gets the same results."""

from __future__ import annotations

import pytest

from tests.conftest import child_env
from tests.factories import submitted_startup
from tests.notices.conftest import free_port, make_app, people_on
from tests.notices.helpers import outbox
from workflow.app import create_app
from workflow.notices.mail import read_folder


@pytest.fixture
def developers_environment(monkeypatch, tmp_path):
    """What a developer running a local production-like server would have exported: every address
    points where nothing listens."""
    exported = {
        "GRANTS_CONFIG": "prod",
        "SECRET_KEY": "the-developers-own-secret-key-0123456789",
        "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/nothing",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port()),
        "SMTP_SECURITY": "ssl",
        "NOTICE_QUEUE": "the-developers-queue",
        "NOTICE_BATCH_SIZE": "1",
        "NOTICE_MAX_ATTEMPTS": "1",
        "RULES_DIR": str(tmp_path / "no-rules-here"),
        "UPLOAD_DIR": str(tmp_path / "developers-uploads"),
        "BASE_URL": "https://grants.example.org",
    }
    for name, value in exported.items():
        monkeypatch.setenv(name, value)
    return exported


def test_the_test_config_reads_nothing_from_the_environment(developers_environment):
    app = create_app("test")
    assert app.config["SECRET_KEY"] == "test" and app.config["DATABASE_URL"] == "sqlite://"
    assert app.config["REDIS_URL"] is None
    for name in developers_environment:
        if name not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "RULES_DIR", "UPLOAD_DIR"):
            assert name not in app.config, name
    settings = app.extensions["notices"].settings
    assert settings.embedded and not settings.smtp_configured
    assert (settings.queue_name, settings.batch_size, settings.max_attempts) == ("notices", 50, 5)
    assert settings.base_url == "http://127.0.0.1:5000"
    assert app.extensions["workflow"].registry.latest("startup-support") is not None
    app.extensions["notices"].close()
    app.extensions["workflow"].db.dispose()


def test_a_notice_is_delivered_whatever_the_developer_exported(
    developers_environment, sqlite_db, tmp_path, clock, store
):
    app = make_app(sqlite_db, tmp_path, clock)
    submitted_startup(app.extensions["workflow"], people_on(app), store)
    [row] = outbox(app)
    assert (row["status"], row["attempts"]) == ("sent", 1)
    [mail] = read_folder(tmp_path / "mail")
    assert "http://127.0.0.1:5000/applications/" in mail["text"]


def test_a_worker_or_server_a_test_starts_inherits_none_of_the_apps_variables(developers_environment):
    env = child_env(REDIS_URL="redis://127.0.0.1:6379/2")
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/2"
    for name in developers_environment:
        if name != "REDIS_URL":
            assert name not in env, name
    assert "PATH" in env


def test_test_apps_hash_passwords_with_the_cheap_profile(tmp_path):
    from workflow.services.users import check_password, hash_password, timing_hash

    app = create_app("test", {"UPLOAD_DIR": str(tmp_path / "uploads")})
    assert app.config["PASSWORD_HASH_PROFILE"] == {"time_cost": 1, "memory_cost": 64, "parallelism": 1}
    hashed = hash_password("correct-horse-battery")
    assert "$m=64,t=1,p=1$" in hashed and check_password(hashed, "correct-horse-battery")
    assert "$m=64,t=1,p=1$" in timing_hash()  # what a sign-in for an unknown address verifies against
    app.extensions["notices"].close()
    app.extensions["workflow"].db.dispose()
