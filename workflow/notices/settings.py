"""Notice delivery settings, read once from the app config (which the factory fills from the environment)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Environment names the app factory copies into the app config (`Config.from_environment`), never at import.
ENVIRONMENT = {
    "SMTP_HOST": str,
    "SMTP_PORT": int,
    "SMTP_SECURITY": str,  # none | starttls | ssl
    "SMTP_USER": str,
    "SMTP_PASSWORD": str,
    "SMTP_TIMEOUT": float,
    "MAIL_FROM": str,
    "BASE_URL": str,
    "NOTICE_MAIL_DIR": str,
    "NOTICE_MAX_ATTEMPTS": int,
    "NOTICE_LEASE_SECONDS": int,
    "NOTICE_QUEUE": str,
    "NOTICE_BATCH_SIZE": int,
}


@dataclass(frozen=True)
class NoticeSettings:
    redis_url: str | None = None
    queue_name: str = "notices"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_security: str = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_timeout: float = 10.0
    mail_from: str = "강원 혁신클러스터 <no-reply@grants.example.kr>"
    mail_dir: Path | None = None  # None: e-mails without SMTP are kept in the shared mail store
    base_url: str = "http://127.0.0.1:5000"
    max_attempts: int = 5
    # seconds before attempt 2, 3, 4, ...; the last value repeats
    retry_intervals: tuple[int, ...] = (10, 60, 300, 1800)
    lease_seconds: int = 300
    # outbox rows per rq job (and per embedded run): one claim, prepare and finish transaction for all
    batch_size: int = 50
    agency: dict = field(
        default_factory=lambda: {
            "ko": "강원 디지털헬스케어 혁신클러스터 사업단",
            "en": "Gangwon Digital Healthcare Innovation Cluster Agency",
        }
    )
    agency_address: dict = field(
        default_factory=lambda: {
            "ko": "강원특별자치도 원주시 혁신로 60",
            "en": "60 Hyeoksin-ro, Wonju, Gangwon State, Korea",
        }
    )
    signatory: dict = field(default_factory=lambda: {"ko": "사업단장", "en": "Director"})
    document_prefix: str = "혁신사업단"

    @property
    def embedded(self) -> bool:
        """No Redis configured: jobs run in-process after commit and `flask tick` retries them."""
        return not self.redis_url

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    def retry_delay(self, attempts_made: int) -> int:
        """Seconds to wait after `attempts_made` failed attempts."""
        index = min(max(attempts_made, 1), len(self.retry_intervals)) - 1
        return self.retry_intervals[index]

    @classmethod
    def from_app(cls, app) -> NoticeSettings:
        """Settings from `app.config` (NOTICE_*/SMTP_* keys, which the factory fills from the environment
        outside tests), then defaults."""
        values: dict = {}
        for name, kind in ENVIRONMENT.items():
            raw = app.config.get(name)
            if raw not in (None, ""):
                values[name] = kind(raw)
        mail_dir = values.get("NOTICE_MAIL_DIR")
        intervals = app.config.get("NOTICE_RETRY_INTERVALS")
        return cls(
            redis_url=app.config.get("REDIS_URL") or None,
            queue_name=values.get("NOTICE_QUEUE", "notices"),
            smtp_host=values.get("SMTP_HOST"),
            smtp_port=values.get("SMTP_PORT", 25),
            smtp_security=values.get("SMTP_SECURITY", "none").lower(),
            smtp_user=values.get("SMTP_USER"),
            smtp_password=values.get("SMTP_PASSWORD"),
            smtp_timeout=values.get("SMTP_TIMEOUT", 10.0),
            mail_from=values.get("MAIL_FROM", cls.mail_from),
            mail_dir=Path(mail_dir) if mail_dir else None,
            base_url=values.get("BASE_URL", cls.base_url).rstrip("/"),
            max_attempts=values.get("NOTICE_MAX_ATTEMPTS", 5),
            retry_intervals=tuple(intervals) if intervals else cls.retry_intervals,
            lease_seconds=values.get("NOTICE_LEASE_SECONDS", 300),
            batch_size=max(1, values.get("NOTICE_BATCH_SIZE", 50)),
        )
