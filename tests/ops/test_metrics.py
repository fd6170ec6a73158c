"""Metrics scraped from a running gunicorn with 2 workers (multiprocess mode) change as expected after a
fire, a refusal, a stale (busy) fire and the deliveries they cause."""

from __future__ import annotations

import http.cookiejar
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from tests.conftest import People, child_env, make_workflow
from tests.factories import reviewed_startup
from tests.notices.conftest import free_port
from tests.web.conftest import FAST_HASH, PASSWORD, csrf_of
from workflow.config import PROJECT_ROOT
from workflow.engine import records
from workflow.models import User
from workflow.services.files import FileStore
from workflow.storage.blobs import DatabaseBlobs

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
TOKEN = "metrics-token-for-the-test"


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def get(self, path: str, headers=None) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path, headers=headers or {}))

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, req) -> tuple[int, str]:
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _metrics(browser) -> dict:
    status, text = browser.get("/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, text
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def gunicorn(sqlite_engine, tmp_path, clock):
    people = People(sqlite_engine)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    workflow = make_workflow(sqlite_engine, clock)
    app_id = reviewed_startup(workflow, people, FileStore(DatabaseBlobs(sqlite_engine)))
    port = free_port()
    env = child_env(
        DATABASE_URL=sqlite_engine.url.render_as_string(hide_password=False),
        SECRET_KEY="x" * 40,
        PROMETHEUS_MULTIPROC_DIR=tmp_path / "metrics",
        METRICS_TOKEN=TOKEN,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=2,
    )
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    browser = Browser(f"http://127.0.0.1:{port}")
    try:
        for _ in range(300):
            try:
                if browser.get("/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail((tmp_path / "gunicorn.log").read_text()[-3000:])
        yield browser, people, app_id, sqlite_engine
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def test_metrics_count_fires_refusals_busy_fires_and_deliveries(gunicorn):
    browser, people, app_id, engine = gunicorn
    assert browser.get("/metrics")[0] == 404  # no token
    before = _metrics(browser)

    status, page = browser.get("/login")
    assert (
        browser.post(
            "/login", {"email": "officer@test.kr", "password": PASSWORD, "csrf_token": csrf_of(page)}
        )[0]
        == 302
    )
    status, page = browser.get(f"/applications/{app_id}")
    csrf, version = csrf_of(page), re.search(r'name="row_version" value="(\d+)"', page).group(1)
    fire = {"trigger": "select", "csrf_token": csrf, "row_version": version}
    assert browser.post(f"/applications/{app_id}/fire", fire)[0] == 302  # ok
    assert browser.post(f"/applications/{app_id}/fire", fire)[0] == 302  # stale version: busy
    with engine.connect() as connection:
        current = records.read_application(connection, app_id).row_version
    again = {**fire, "row_version": str(current)}
    assert browser.post(f"/applications/{app_id}/fire", again)[0] == 302  # not allowed now: refused

    after = _metrics(browser)
    labels = {"program": "startup-support", "trigger": "select"}
    assert _value(after, "grants_fires_total", outcome="ok", reason="", **labels) == 1
    assert _value(after, "grants_fires_total", outcome="busy", reason="stale", **labels) == 1
    refused = [
        value
        for (name, sample_labels), value in after.items()
        if name == "grants_fires_total" and dict(sample_labels).get("outcome") == "refused"
    ]
    assert sum(refused) == 1
    assert _value(after, "grants_fire_duration_seconds_count", outcome="ok", **labels) == 1
    route = "/applications/<int:application_id>/fire"
    assert _value(after, "grants_http_requests_total", route=route, method="POST", status="302") == 3
    assert _value(after, "grants_http_request_duration_seconds_count", route=route, method="POST") == 3
    sent = ("grants_notice_deliveries_total", {"channel": "email", "status": "sent"})
    assert _value(after, sent[0], **sent[1]) > _value(before, sent[0], **sent[1])
    assert _value(after, "grants_notices", state="sent") > _value(before, "grants_notices", state="sent")
    assert ("grants_timers_due", ()) in after and ("grants_workers_alive", ()) in after
