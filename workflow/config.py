"""Configuration classes; the environment is read only inside the app factory."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from workflow.extensions import BUILT_IN

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRETS = frozenset({"change-me", "test", "dev", "secret", ""})
MIN_SECRET_BYTES = 32
MAX_SESSION_SECONDS = 12 * 3600


class ConfigurationError(RuntimeError):
    """The configuration is unsafe for where the app is started; the message says what to set."""


# operations: file store, backups (workflow/storage, workflow/ops)
OPS_NAMES = (
    "FILE_STORAGE",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_PREFIX",
    "S3_REGION",
    "UPLOAD_TMP_DIR",
    "BACKUP_DIR",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "METRICS_TOKEN",
    "METRICS_ENABLED",
)


class Config:
    SECRET_KEY = "change-me"
    DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'grants.sqlite3'}"
    RULES_DIR = str(PROJECT_ROOT / "rules")
    NOTICE_TEMPLATES_DIR = str(PROJECT_ROOT / "templates" / "notices")
    UPLOAD_DIR = str(
        PROJECT_ROOT / "instance" / "uploads"
    )  # outside static/: served only after an object check
    REDIS_URL = None
    AUDIT_SIGNING_KEY = None  # key material of the Ed25519 key signing audit digests; SECRET_KEY when unset
    AUDIT_VERIFY_JOBS = 1  # processes `audit verify` and the auditor's run use (workflow/audit/parallel.py)
    TIMEZONE = "Asia/Seoul"
    BABEL_DEFAULT_LOCALE = "ko"
    TESTING = False
    # readiness limits in seconds (workflow/ops/readiness.py)
    READY_WORKER_MAX_AGE = 60
    READY_NOTICE_MAX_AGE = 600
    READY_TICK_MAX_AGE = 180
    WORKER_HEARTBEAT_SECONDS = 15
    LOG_FORMAT = None  # json | plain (workflow/ops/logs.py); prod: json
    EXTENSIONS = BUILT_IN  # modules that register effects, channels, ... (workflow/extensions.py)
    # how many proxies in front of the app append to X-Forwarded-For (0: the peer address is the client's)
    PROXY_COUNT = 0
    # a signed-in session ends this long after sign-in (at most 12 h) or after this long without a request
    SESSION_LIFETIME = MAX_SESSION_SECONDS
    SESSION_IDLE_TIMEOUT = 30 * 60
    # the cookie is rewritten when the session changes (the idle clock moves it at most once a minute,
    # workflow/web/sessions.py), not signed again on every response
    SESSION_REFRESH_EACH_REQUEST = False
    TRUSTED_HOSTS = None
    PASSWORD_HASH_PROFILE = None  # argon2's defaults; TestConfig uses the cheapest parameters
    REVIEW_DUE_DAYS = 14  # the statistics dashboard counts a review overdue after this many days
    # officers are told of new submissions, declared conflicts and overdue steps (workflow/notices/staff.py)
    STAFF_NOTICES = True
    # the help desk shown in every page's footer (the phone only when set)
    SUPPORT_EMAIL = "help@grants.example.kr"
    SUPPORT_PHONE = ""
    # request limits, 413 beyond them: a whole request (uploads included; raise it if a rule file's
    # `max_mb` needs more), the text fields of a form (held in memory) and the fields and files of a form
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500 * 1024
    MAX_FORM_PARTS = 1000

    @classmethod
    def from_environment(cls) -> dict:
        """Values the environment overrides (read at app creation, never at import)."""
        from workflow.notices.settings import ENVIRONMENT as NOTICE_NAMES

        overrides: dict = {}
        names = (
            "SECRET_KEY",
            "DATABASE_URL",
            "RULES_DIR",
            "REDIS_URL",
            "UPLOAD_DIR",
            "AUDIT_SIGNING_KEY",
            "AUDIT_VERIFY_JOBS",
            "BASE_URL",
            "RATE_LIMIT_REDIS_URL",
            "SUPPORT_EMAIL",
            "SUPPORT_PHONE",
            *NOTICE_NAMES,
            *OPS_NAMES,
        )
        for name in names:
            if os.environ.get(name):
                overrides[name] = os.environ[name]
        for name in ("READY_WORKER_MAX_AGE", "READY_NOTICE_MAX_AGE", "READY_TICK_MAX_AGE"):
            if os.environ.get(name):
                overrides[name] = float(os.environ[name])
        for name in (
            "PROXY_COUNT",
            "SESSION_LIFETIME",
            "SESSION_IDLE_TIMEOUT",
            "MAX_CONTENT_LENGTH",
            "MAX_FORM_MEMORY_SIZE",
            "MAX_FORM_PARTS",
        ):
            if os.environ.get(name):
                overrides[name] = int(os.environ[name])
        if os.environ.get("EXTENSIONS"):  # more modules that register kinds, beside the built-in ones
            overrides["EXTENSIONS"] = BUILT_IN + tuple(
                name.strip() for name in os.environ["EXTENSIONS"].split(",") if name.strip()
            )
        if os.environ.get("TRUSTED_HOSTS"):
            overrides["TRUSTED_HOSTS"] = [
                h.strip() for h in os.environ["TRUSTED_HOSTS"].split(",") if h.strip()
            ]
        return overrides

    @classmethod
    def finish(cls, config) -> None:
        """Settle values that depend on others, once the environment and overrides are in."""
        config["SESSION_LIFETIME"] = min(int(config["SESSION_LIFETIME"]), MAX_SESSION_SECONDS)
        config["PERMANENT_SESSION_LIFETIME"] = config["SESSION_LIFETIME"]


class DevConfig(Config):
    DEBUG = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    DATABASE_URL = "sqlite://"
    # argon2 at its cheapest: the suite hashes passwords on every sign-up and reset (a hash records its
    # own parameters, so verifying works whatever profile made it)
    PASSWORD_HASH_PROFILE = {"time_cost": 1, "memory_cost": 64, "parallelism": 1}

    @classmethod
    def from_environment(cls) -> dict:
        """Nothing: tests build their apps from explicit settings only, whatever the developer exported
        (service addresses come from TEST_* variables, read by the tests themselves)."""
        return {}


class ProdConfig(Config):
    SESSION_COOKIE_SECURE = True
    LOG_FORMAT = "json"

    @classmethod
    def finish(cls, config) -> None:
        """Refuse to run in production with a guessable secret or without the site's own address."""
        super().finish(config)
        secret = config.get("SECRET_KEY") or ""
        secret_bytes = secret.encode() if isinstance(secret, str) else bytes(secret)
        if secret in DEFAULT_SECRETS or len(secret_bytes) < MIN_SECRET_BYTES:
            raise ConfigurationError(
                "GRANTS_CONFIG=prod needs SECRET_KEY set to a random value of at least "
                f"{MIN_SECRET_BYTES} bytes (not the development default), e.g. "
                "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        if not config.get("BASE_URL"):
            raise ConfigurationError(
                "GRANTS_CONFIG=prod needs BASE_URL, the site's public address (links in e-mails point to it), "
                "e.g. BASE_URL=https://grants.example.kr"
            )
        if not config.get("TRUSTED_HOSTS"):
            # requests naming another Host are refused (400), so no page or link is built from it
            config["TRUSTED_HOSTS"] = [urlsplit(config["BASE_URL"]).hostname]


CONFIGS = {"dev": DevConfig, "test": TestConfig, "prod": ProdConfig}
