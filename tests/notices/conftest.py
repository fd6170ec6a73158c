"""Fixtures for notices: an app on a migrated database, a real local SMTP server (aiosmtpd) whose
behaviour a test can change, and the test Redis database (`TEST_REDIS_URL`, default database 2; this
session's keys deleted before and after, nothing else)."""

from __future__ import annotations

import socket
import threading
import uuid
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import REDIS_TEST_URL, People, _postgres_engine, _sqlite_engine, service_missing
from workflow.app import create_app

__all__ = ["REDIS_TEST_URL", "QUEUE", "make_app", "free_port", "people_on"]
# A queue (and job-id prefix) of this test session's own: test sessions running at the same time on one
# machine share database 2 without taking each other's jobs.
QUEUE = f"notices-test-{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailHandler:
    """Records every accepted message. `refuse_next` answers 451 to that many DATA commands;
    `hold_on_mail` blocks MAIL FROM until released (so a test can kill a client before it sends)."""

    def __init__(self):
        self.messages: list = []
        self.refuse_next = 0
        self.refused = 0
        self.hold_on_mail = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.hold_on_mail.is_set():
            self.holding.set()
            while not self.release.is_set():
                import asyncio

                await asyncio.sleep(0.02)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 try again later"
            message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(message["Message-ID"]) for _, message in self.messages]


@pytest.fixture
def smtp():
    handler = MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    handler.release.set()
    controller.stop()


@pytest.fixture
def redis_db():
    """The test Redis database (the only one these tests touch), without this session's leftovers."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except RedisConnectionError as error:
        service_missing("Redis", error)
    _forget_queue(client)
    yield client
    _forget_queue(client)
    client.close()


def _forget_queue(client) -> None:
    """Delete this session's rq keys in the test database (and nothing of anyone else's)."""
    for key in client.scan_iter(match=f"*{QUEUE}*", count=1000):
        client.delete(key)


_APPS: list = []


@pytest.fixture(autouse=True)
def _dispose_apps():
    """Close every app's database pool and Redis client when the test ends (warnings are errors)."""
    yield
    while _APPS:
        app = _APPS.pop()
        app.extensions["notices"].close()
        app.extensions["workflow"].db.dispose()


def make_app(engine, tmp_path, clock=None, **config):
    overrides = {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "NOTICE_MAIL_DIR": str(tmp_path / "mail"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "NOTICE_RETRY_INTERVALS": [0],
        "NOTICE_QUEUE": QUEUE,
        # the delivery tests count the notices one submission makes: the officers' own notices
        # (workflow/notices/staff.py) are tested in tests/web/test_officer_notices.py
        "STAFF_NOTICES": False,
        **config,
    }
    app = create_app("test", overrides)
    _APPS.append(app)
    if clock is not None:
        app.extensions["workflow"].clock = clock
    return app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def notice_db(request, sqlite_template, tmp_path):
    engine = (
        _sqlite_engine(sqlite_template, tmp_path)
        if request.param == "sqlite"
        else _postgres_engine(request.getfixturevalue("postgres_url"))
    )
    yield engine
    engine.dispose()


@pytest.fixture
def pg_db(postgres_url):
    engine = _postgres_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_db(sqlite_template, tmp_path):
    engine = _sqlite_engine(sqlite_template, tmp_path)
    yield engine
    engine.dispose()


def people_on(app) -> People:
    return People(app.extensions["workflow"].db)
