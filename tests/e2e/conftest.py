"""Browser fixtures: the app served on a free loopback port, Debian's Chromium driven by Playwright,
axe-core (vendored from npm) run on every page, and screenshots under test-output/e2e/ when asked
(`pytest --screenshots`: each costs a full-page render, and no test looks at them). Pages wait up to 30 s
for an element or a navigation: `make test` runs a Chromium per test worker on machines with two cores."""

from __future__ import annotations

import re
import shutil
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select, update
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
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# A page tried at both sizes and in both languages, in two runs instead of four: English on a desktop
# (a foreign partner at a desk) and Korean on a phone (most applicants), where the longer words wrap.
SIZE_AND_LANGUAGE = pytest.mark.parametrize(("size", "lang"), [("desktop", "en"), ("phone", "ko")])


def _closed_before_sending(app):
    """Each response read whole and closed before werkzeug writes it: werkzeug's test server skips the
    close when the browser resets the connection mid-response (it reads the socket first), and the
    file a static response holds then surfaces as an unraisable ResourceWarning in some later test."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@contextmanager
def served(app):
    """The app on a free loopback port, in a thread, for as long as the block runs: yields its base URL."""
    server = make_server("127.0.0.1", 0, _closed_before_sending(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_app(sqlite_engine, clock, tmp_path):
    app = make_app(sqlite_engine, clock, tmp_path)
    people = People(sqlite_engine)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    with served(app) as base:
        yield app, people, base


@pytest.fixture(scope="session", autouse=True)
def _screenshots(request):
    Camera.enabled = request.config.getoption("--screenshots")


class _VendorFiles(SimpleHTTPRequestHandler):
    """tests/e2e/vendor over HTTP, cacheable: the browser keeps axe-core compiled between pages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(AXE.parent), **kwargs)

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=86400")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        service_missing("Playwright", error)
    executable = shutil.which("chromium")
    if executable is None:
        service_missing("Chromium", FileNotFoundError("chromium"))
    vendor = ThreadingHTTPServer(("127.0.0.1", 0), _VendorFiles)
    thread = threading.Thread(target=vendor.serve_forever, daemon=True)
    thread.start()
    Axe.url = f"http://127.0.0.1:{vendor.server_port}/{AXE.name}"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield launched
            launched.close()
    finally:
        Axe.url = None
        vendor.shutdown()
        vendor.server_close()
        thread.join(timeout=5)


class Axe:
    """Where pages load axe-core from: a loopback server of this test process while the browser runs
    (a script tag with a URL, which the browser caches compiled), else the file's text in each page."""

    url: str | None = None


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


def named_like_people(app, people) -> None:
    """Users named like people (김민수12), not like role keys ("officer"), for the internal-key checks."""
    from workflow.engine.actors import load_actor

    with app.extensions["db_engine"].begin() as connection:
        for user_id in connection.execute(select(User.id)).scalars().all():
            connection.execute(update(User).where(User.id == user_id).values(name=f"김민수{user_id}"))
        for attribute, actor in vars(people).items():
            if getattr(actor, "id", None):
                setattr(people, attribute, load_actor(connection, actor.id))


def internal_keys(workflow) -> set[str]:
    """Keys a Korean reader must never see: program keys, state and trigger keys, role keys."""
    keys: set[str] = set()
    for key, program in workflow.registry.current.items():
        keys.add(key)
        keys.update(name for name in program.spec.states if "_" in name or len(name) > 3)
    keys.update(("officer", "finance", "auditor", "reviewer", "applicant", "exclusion", "system"))
    return keys


def leaked_keys(page, keys: set[str]) -> list[str]:
    """The internal keys in the page's visible text (not in e-mail addresses, paths or file names)."""
    text = page.evaluate("() => document.body.innerText")
    return sorted(k for k in keys if re.search(rf"(?<![\w@./-]){re.escape(k)}(?![\w@-]|\.ya?ml)", text))


class Journey(Camera):
    """A Camera for one role's journey at one size: each step also must not scroll sideways (the
    document's scrollWidth within the device width) and, in Korean, show no internal key."""

    def __init__(self, name: str, size: str, keys: set[str], lang: str = "ko"):
        super().__init__(f"{name}-{size}")
        self.width, self.keys, self.lang = SIZES[size]["width"], keys, lang

    def shot(self, page, name: str) -> Path | None:
        path = super().shot(page, name)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= self.width, f"{name}: the page is {width}px wide on a {self.width}px screen"
        if self.lang == "ko" and page.evaluate("() => document.documentElement.lang") == "ko":
            assert not leaked_keys(page, self.keys), (
                f"{name}: internal keys shown {leaked_keys(page, self.keys)}"
            )
        return path


@pytest.fixture
def page_at(browser):
    """`page_at(size, lang)`: a page in a fresh context at a desktop or phone size (a phone is mobile, touch)."""
    contexts = []

    def make(size: str, lang: str = "ko"):
        phone = size == "phone"
        context = browser.new_context(
            viewport=SIZES[size],
            device_scale_factor=2 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
            bypass_csp=True,  # only so the test can inject axe-core; the app's pages run under their CSP
            locale=lang,
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    yield make
    for context in contexts:
        context.close()


def login(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name=re.compile("^(로그인|Sign in)$")).click()
    page.wait_for_load_state()


def autosave_saved(page) -> None:
    """Wait for the server's answer to an autosave (not "저장 중…", the request being sent)."""
    page.wait_for_function(
        "() => /임시 저장|Draft saved/.test(document.getElementById('autosave-status').textContent)"
    )


def autosave_failed(page) -> None:
    """Wait until the form says its autosave failed: the aborted request has come back, so unrouting
    now cannot let it through."""
    page.wait_for_function(
        "() => { const s = document.getElementById('autosave-status');"
        " return s.textContent === s.getAttribute('data-failed'); }"
    )


def check_accessibility(page, name: str) -> None:
    """Fail on any serious or critical axe-core violation. Every rule of AXE_TAGS runs on the whole page;
    `resultTypes` only spares axe describing each node that passed (a unique selector per node, the
    slowest part of a run on a long page), and only the violations come back over the wire."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        if Axe.url:
            page.add_script_tag(url=Axe.url)
        else:
            page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async tags => (await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})).violations",
        AXE_TAGS,
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {name}: {bad}"


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(lang: str = "ko"):
        # bypass_csp only so the test can inject axe-core; the app's own pages run under its CSP
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True, locale=lang)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
