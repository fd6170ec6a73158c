"""Production smoke: gunicorn and an rq worker as separate processes on PostgreSQL and Redis, started with
the command lines of the systemd units in deploy/; an applicant signs in and submits over HTTP; the e-mail
arrives at a local SMTP server; then the tick and backup units' commands run."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.factories import PDF
from tests.notices.conftest import REDIS_TEST_URL, free_port, people_on
from tests.notices.helpers import outbox
from tests.notices.test_worker_faults import _env, kill
from tests.ops.units import environment, exec_starts
from tests.web.conftest import FAST_HASH, PASSWORD, csrf_of
from tests.web.test_journeys import FORM_VALUES
from workflow.config import PROJECT_ROOT
from workflow.models import User


class Browser:
    """Cookies, CSRF tokens and multipart forms over plain urllib (redirects followed)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, fields: dict, files: dict | None = None) -> tuple[str, str]:
        if files:
            boundary = uuid.uuid4().hex
            body = _multipart(boundary, fields, files)
            headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        request = urllib.request.Request(self.base + path, data=body, headers=headers, method="POST")
        with self.opener.open(request, timeout=60) as response:
            return response.geturl(), response.read().decode()


def _multipart(boundary: str, fields: dict, files: dict) -> bytes:
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode()
            )
    for name, (filename, content, mimetype) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {mimetype}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


@pytest.fixture
def open_rules(tmp_path) -> Path:
    """The shipped rules with the startup program open whatever today's date (the servers use the real clock)."""
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "rules", rules)
    path = rules / "startup-support.yaml"
    text = re.sub(
        r"^open: \{.*\}$", "open: {from: 2020-01-01, until: 2099-12-31}", path.read_text(), flags=re.M
    )
    path.write_text(text)
    return rules


@pytest.mark.slow
def test_gunicorn_and_worker_deliver_the_submission_email(pg_db, tmp_path, smtp, redis_db, open_rules):
    from tests.notices.conftest import make_app

    app = make_app(pg_db, tmp_path, None, REDIS_URL=REDIS_TEST_URL, RULES_DIR=str(open_rules))
    people = people_on(app)
    with pg_db.begin() as connection:
        connection.execute(update(User).where(User.id == people.applicant.id).values(password_hash=FAST_HASH))
    port = free_port()
    env = {
        **_env(pg_db, smtp, tmp_path),
        "GRANTS_CONFIG": "dev",
        "SECRET_KEY": "smoke-test",
        "RULES_DIR": str(open_rules),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "BASE_URL": f"http://127.0.0.1:{port}",
    }
    web_log = open(tmp_path / "web.log", "w")  # noqa: SIM115 - closed below
    [web_command] = exec_starts("grants-web.service")
    web_env = {**env, **environment("grants-web.service", tmp_path / "run")}
    web_env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2")
    web = subprocess.Popen(
        web_command,
        cwd=PROJECT_ROOT,
        env=web_env,
        stdout=web_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    [worker_command] = exec_starts("grants-worker@.service")
    worker_log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed by kill()
    worker = subprocess.Popen(
        worker_command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker.log = worker_log
    try:
        _submit_and_wait(port, smtp)
        # the worker records "sent" just after the SMTP server accepted: wait for that commit, not the e-mail
        deadline = time.monotonic() + 30
        while any(row["status"] != "sent" for row in outbox(app)):
            assert time.monotonic() < deadline, f"not recorded as sent: {outbox(app)}"
            time.sleep(0.2)
    except (AssertionError, OSError) as error:
        logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in tmp_path.glob("*.log"))
        raise AssertionError(f"{error}\n{logs}") from error
    finally:
        kill(worker)
        web.terminate()
        web.wait(20)
        web_log.close()
    by_recipient = {tuple(rcpt): message for rcpt, message in smtp.messages}
    assert len(smtp.messages) == 2 and set(by_recipient) == {("applicant@test.kr",), ("officer@test.kr",)}
    app_id = outbox(app)[0]["application_id"]
    message = by_recipient[("applicant@test.kr",)]
    assert f"(#{app_id})" in str(message["Subject"]) and "접수" in str(message["Subject"])
    assert f"http://127.0.0.1:{port}/applications/{app_id}" in message.get_body(("plain",)).get_content()
    officer = by_recipient[("officer@test.kr",)]  # the program's officer is told of the submission
    assert "새 제출" in str(officer["Subject"])
    assert (
        f"http://127.0.0.1:{port}/officer/applications/{app_id}" in officer.get_body(("plain",)).get_content()
    )
    rows = outbox(app)
    assert [row["notice"] for row in rows] == ["received", "new_submission"]
    assert all(row["status"] == "sent" and row["attempts"] == 1 for row in rows)
    for unit in ("grants-tick.service", "grants-backup.service"):
        for command in exec_starts(unit):
            done = subprocess.run(
                command,
                cwd=PROJECT_ROOT,
                env={**env, "BACKUP_DIR": str(tmp_path / "backups")},
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, (command, done.stdout, done.stderr)
    assert len(list((tmp_path / "backups").iterdir())) == 1


def _submit_and_wait(port: int, smtp) -> None:
    """Sign in, start an application, fill and submit it with its PDF; wait for the e-mail."""
    browser = Browser(f"http://127.0.0.1:{port}")
    for _ in range(150):
        try:
            browser.get("/healthz")
            break
        except OSError:
            time.sleep(0.2)
    _, page = browser.get("/login")
    browser.post("/login", {"email": "applicant@test.kr", "password": PASSWORD, "csrf_token": csrf_of(page)})
    _, page = browser.get("/programs/startup-support")
    url, _ = browser.post("/programs/startup-support/apply", {"csrf_token": csrf_of(page)})
    app_id = int(re.search(r"/applications/(\d+)/form", url).group(1))
    _, page = browser.get(f"/applications/{app_id}/form")
    version = re.search(r'name="row_version" value="(\d+)"', page).group(1)
    fields = {**FORM_VALUES, "csrf_token": csrf_of(page), "row_version": version, "action": "submit"}
    url, page = browser.post(
        f"/applications/{app_id}/form", fields, {"business_plan": ("plan.pdf", PDF, "application/pdf")}
    )
    assert url.endswith(f"/applications/{app_id}"), page[:2000]

    deadline = time.monotonic() + 60
    while not smtp.messages:
        assert time.monotonic() < deadline, "no e-mail within 60 s"
        time.sleep(0.2)
