"""Fixtures for operations tests: a Redis server of the test's own on a free port (it can be stopped)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from redis import Redis
from redis.exceptions import RedisError

from tests.conftest import service_missing
from tests.notices.conftest import _dispose_apps, free_port  # noqa: F401  (closes the apps)
from tests.web.conftest import app, client, web_people  # noqa: F401  (web fixtures)


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_missing("redis-server", FileNotFoundError("redis-server"))
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        probe = Redis.from_url(self.url)
        try:
            for _ in range(200):
                try:
                    probe.ping()
                    return
                except RedisError:
                    time.sleep(0.05)
            raise RuntimeError("redis-server did not start")
        finally:
            probe.close()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def own_redis():
    server = RedisServer()
    server.start()
    yield server
    server.stop()
