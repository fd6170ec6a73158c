"""Production refuses unsafe settings at start, and answers only for its own host name."""

from __future__ import annotations

import pytest

from workflow.app import create_app
from workflow.config import ConfigurationError

GOOD_SECRET = "0123456789abcdef0123456789abcdef-long-enough"


def prod_app(tmp_path, **overrides):
    settings = {
        "DATABASE_URL": "sqlite://",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "NOTICE_MAIL_DIR": str(tmp_path / "mail"),
        "SECRET_KEY": GOOD_SECRET,
        "BASE_URL": "https://grants.example.kr",
        "REDIS_URL": None,
    }
    return create_app("prod", {**settings, **overrides})


@pytest.mark.parametrize("secret", ["change-me", "test", "", "short-but-not-default", "x" * 31])
def test_prod_refuses_a_default_or_short_secret(tmp_path, secret):
    with pytest.raises(ConfigurationError, match="SECRET_KEY .* at least 32 bytes"):
        prod_app(tmp_path, SECRET_KEY=secret)


def test_prod_refuses_to_start_without_its_public_address(tmp_path):
    with pytest.raises(ConfigurationError, match="BASE_URL"):
        prod_app(tmp_path, BASE_URL=None)


def test_prod_answers_only_for_its_own_host(tmp_path):
    app = prod_app(tmp_path)
    assert app.config["TRUSTED_HOSTS"] == ["grants.example.kr"]
    client = app.test_client()
    assert client.get("/healthz", base_url="https://grants.example.kr").status_code == 200
    assert client.get("/password/forgot", base_url="https://evil.example").status_code == 400


def test_sessions_end_within_twelve_hours_whatever_is_configured(tmp_path):
    app = prod_app(tmp_path, SESSION_LIFETIME=31 * 24 * 3600)
    assert app.config["SESSION_LIFETIME"] == 12 * 3600
    assert app.config["PERMANENT_SESSION_LIFETIME"] == 12 * 3600
