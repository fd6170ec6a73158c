"""deploy/: the systemd units pass `systemd-analyze verify`; the proxy's body limit is the app's."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import service_missing
from tests.ops.units import DEPLOY, exec_starts, localise
from workflow.config import Config

UNITS = sorted(p.name for p in DEPLOY.glob("*.service")) + sorted(p.name for p in DEPLOY.glob("*.timer"))


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    binary = shutil.which("systemd-analyze")
    if binary is None:
        service_missing("systemd-analyze", FileNotFoundError("apt-get install systemd"))
    (tmp_path / "env").write_text("GRANTS_CONFIG=prod\n")
    names = []
    for unit in UNITS:
        text = localise((DEPLOY / unit).read_text())  # install paths → this checkout (they must exist)
        text = text.replace("/etc/grants/env", str(tmp_path / "env"))
        text = re.sub(r"^(User|Group)=grants$", r"\1=root", text, flags=re.M)
        (tmp_path / unit).write_text(text)
        names.append(unit)
    shutil.copy(tmp_path / "grants-worker@.service", tmp_path / "grants-worker@1.service")
    names = [n for n in names if n != "grants-worker@.service"] + ["grants-worker@1.service"]
    done = subprocess.run([binary, "verify", *names], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_the_units_say_what_the_readme_promises():
    assert "Restart=always" in (DEPLOY / "grants-worker@.service").read_text()
    assert "Restart=always" in (DEPLOY / "grants-web.service").read_text()
    assert "OnCalendar=*-*-* *:*:00" in (DEPLOY / "grants-tick.timer").read_text()  # every minute
    assert exec_starts("grants-tick.service") == [[*exec_starts("grants-worker@.service")[0][:-1], "tick"]]
    [[gunicorn, *args]] = exec_starts("grants-web.service")
    assert gunicorn.endswith("/gunicorn") and args[-1] == "wsgi:app"


@pytest.mark.parametrize("setting", ["client_max_body_size 25m;"])
def test_the_proxy_limits_bodies_like_the_app(setting):
    assert setting in (DEPLOY / "nginx.conf").read_text()
    assert Config.MAX_CONTENT_LENGTH == 25 * 1024 * 1024


def test_gunicorn_workers_stop_walking_what_the_app_loaded():
    """deploy/gunicorn.conf.py's post_worker_init: the loaded app moves out of the collector's way, and a page's
    objects no longer start a collection on nearly every request."""
    import gc
    import runpy

    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    before = gc.get_threshold()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] > before[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
