"""Browser fixtures: the app served on a free loopback port, Debian's Chromium driven by Playwright,
axe-core (vendored from npm) run on every page, and screenshots under test-output/e2e/ when asked
(`pytest --screenshots`: each costs a full-page render, and no test looks at them)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import update
from werkzeug.serving import make_server

from tests.conftest import People, service_missing
from tests.web.conftest import FAST_HASH, make_app
from workflow.models import User

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
OUTPUT = ROOT / "test-output" / "e2e"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture
def live_app(sqlite_engine, clock, tmp_path):
    app = make_app(sqlite_engine, clock, tmp_path)
    people = People(sqlite_engine)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, people, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session", autouse=True)
def _screenshots(request):
    Camera.enabled = request.config.getoption("--screenshots")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        service_missing("Playwright", error)
    executable = shutil.which("chromium")
    if executable is None:
        service_missing("Chromium", FileNotFoundError("chromium"))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Camera:
    """An axe-core check of each step's page, plus a numbered screenshot with `--screenshots`."""

    enabled = False  # the `--screenshots` option (tests/conftest.py), set by `_screenshots`

    def __init__(self, journey: str):
        self.folder = OUTPUT / journey
        if self.enabled:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
        self.count = 0

    def shot(self, page, name: str) -> Path | None:
        self.count += 1
        path = None
        if self.enabled:
            path = self.folder / f"{self.count:02d}-{name}.png"
            page.screenshot(path=str(path), full_page=True)
        check_accessibility(page, name)
        return path


def check_accessibility(page, name: str) -> None:
    """Fail on any serious or critical axe-core violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {name}: {bad}"


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(lang: str = "ko"):
        # bypass_csp only so the test can inject axe-core; the app's own pages run under its CSP
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True, locale=lang)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
