"""Configuration classes; the environment is read only inside the app factory."""

import os
from pathlib import Path

from workflow.extensions import BUILT_IN

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config:
    SECRET_KEY = "change-me"
    DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'grants.sqlite3'}"
    RULES_DIR = str(PROJECT_ROOT / "rules")
    NOTICE_TEMPLATES_DIR = str(PROJECT_ROOT / "templates" / "notices")
    UPLOAD_DIR = str(
        PROJECT_ROOT / "instance" / "uploads"
    )  # outside static/: served only after an object check
    REDIS_URL = None
    TIMEZONE = "Asia/Seoul"
    BABEL_DEFAULT_LOCALE = "ko"
    TESTING = False
    # readiness limits in seconds (workflow/ops/readiness.py)
    READY_WORKER_MAX_AGE = 60
    READY_NOTICE_MAX_AGE = 600
    READY_TICK_MAX_AGE = 180
    WORKER_HEARTBEAT_SECONDS = 15
    EXTENSIONS = BUILT_IN  # modules that register effects, channels, ... (workflow/extensions.py)

    @classmethod
    def from_environment(cls) -> dict:
        """Values the environment overrides (read at app creation, never at import)."""
        overrides = {}
        for name in ("SECRET_KEY", "DATABASE_URL", "RULES_DIR", "REDIS_URL", "UPLOAD_DIR"):
            if os.environ.get(name):
                overrides[name] = os.environ[name]
        for name in ("READY_WORKER_MAX_AGE", "READY_NOTICE_MAX_AGE", "READY_TICK_MAX_AGE"):
            if os.environ.get(name):
                overrides[name] = float(os.environ[name])
        return overrides


class DevConfig(Config):
    DEBUG = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    DATABASE_URL = "sqlite://"


class ProdConfig(Config):
    SESSION_COOKIE_SECURE = True


CONFIGS = {"dev": DevConfig, "test": TestConfig, "prod": ProdConfig}
