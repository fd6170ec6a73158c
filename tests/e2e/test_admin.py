"""The administrator's pages in a real browser, desktop 1366×900 and phone 390×844, Korean and English:
inviting a reviewer (and the invitee setting a password from the mailed link), the users list, the role
changes, and the rule pages (diagram, versions, differences, the file). Each page: no horizontal
scrolling, no serious axe-core violation, and in Korean no internal key in the visible text."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

from sqlalchemy import insert

from tests.e2e.conftest import SIZE_AND_LANGUAGE, SIZES, Camera, internal_keys, leaked_keys, named_like_people
from tests.e2e.conftest import login as _login
from tests.web.conftest import PASSWORD
from workflow.models import DefinitionSnapshot

STRONG = "lantern-orbit-velvet-93"
# the rule file and the differences name keys by design (they are the file's own words)
KEYS_ALLOWED = ("_file", "_diff")


def _earlier_version(app) -> None:
    """A stored snapshot of an earlier startup-support file, so that the pages have two versions."""
    current = app.extensions["workflow"].registry.current["startup-support"]
    source = (
        current.source.replace('version: "2026.3"', 'version: "2025.2"', 1)
        .replace(
            "label: {ko: 서면 검토, en: Document screening}", "label: {ko: 서류 검토, en: Paper review}", 1
        )
        .replace(
            "{name: representative, type: text, required: true,", "{name: representative, type: text,", 1
        )
    )
    assert source.count("2025.2") == 1 and "서류 검토" in source
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(
            insert(DefinitionSnapshot).values(
                sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
                program_key="startup-support",
                version="2025.2",
                file_name="startup-support.yaml",
                source=source,
                stored_at=datetime(2025, 3, 1, tzinfo=UTC),
            )
        )


def _context(browser, size: str, lang: str):
    phone = size == "phone"
    context = browser.new_context(
        viewport=SIZES[size],
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        bypass_csp=True,
        locale=lang,
    )
    context.set_default_timeout(30_000)
    return context


def _english(page, base: str) -> None:
    page.goto(base + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()


def _check(page, camera: Camera, name: str, size: str, lang: str, keys: set[str], problems: list) -> None:
    try:
        camera.shot(page, name)
    except AssertionError as error:
        problems.append(str(error).splitlines()[0])
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > SIZES[size]["width"]:
        problems.append(f"{name}: scrollWidth {width} > {SIZES[size]['width']}")
    if lang == "ko" and not name.endswith(KEYS_ALLOWED):
        leaked = leaked_keys(page, keys)
        if leaked:
            problems.append(f"{name}: internal keys shown {leaked}")


@SIZE_AND_LANGUAGE
def test_admin_invites_a_reviewer_who_accepts(live_app, browser, tmp_path, size, lang):
    app, people, base = live_app
    named_like_people(app, people)
    keys = internal_keys(app.extensions["workflow"])
    camera = Camera(f"admin-invite-{size}-{lang}")
    problems: list[str] = []
    context = _context(browser, size, lang)
    page = context.new_page()
    _login(page, base, "admin@test.kr", PASSWORD)
    if lang == "en":
        _english(page, base)
    page.goto(base + "/admin/")
    _check(page, camera, "users", size, lang, keys, problems)
    page.goto(base + "/admin/users/new")
    page.locator("button[type=submit].primary").last.click()  # nothing filled in: every error listed
    page.wait_for_load_state()
    _check(page, camera, "invite-errors", size, lang, keys, problems)
    assert page.locator(".error-summary").count() == 1
    page.fill("#name", "김평가")
    page.fill("#email", "kim.reviewer@univ.ac.kr")
    page.fill("#organisation", "강원대학교")
    page.locator('input[name=roles][value="reviewer|startup-support"]').check()
    page.locator("button[type=submit].primary").last.click()
    page.wait_for_load_state()
    assert "/admin/users/" in page.url
    _check(page, camera, "invited-user", size, lang, keys, problems)
    page.goto(base + "/admin/roles/log")
    _check(page, camera, "role-log", size, lang, keys, problems)
    [mail] = sorted((tmp_path / "mail").glob("*.eml"))
    body = BytesParser(policy=policy.default).parsebytes(mail.read_bytes()).get_body(("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:5000(/invitation/\S+)", body).group(1)
    invitee = _context(browser, size, lang).new_page()
    invitee.goto(base + link)
    _check(invitee, camera, "accept", size, lang, keys, problems)
    invitee.fill("#password", STRONG)
    invitee.fill("#confirm", STRONG)
    invitee.locator("button[type=submit].primary").last.click()
    invitee.wait_for_load_state()
    assert invitee.locator(".flash, [role=status], .alert").first.is_visible()
    invitee.goto(base + link)  # used once: the clear page
    _check(invitee, camera, "link-used", size, lang, keys, problems)
    context.close()
    invitee.context.close()
    assert not problems, "\n".join(problems)


@SIZE_AND_LANGUAGE
def test_rule_pages(live_app, browser, size, lang):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    named_like_people(app, people)
    _earlier_version(app)
    keys = internal_keys(workflow)
    camera = Camera(f"admin-rules-{size}-{lang}")
    problems: list[str] = []
    context = _context(browser, size, lang)
    page = context.new_page()
    _login(page, base, "admin@test.kr", PASSWORD)
    if lang == "en":
        _english(page, base)
    for path in ("/admin/rules", "/admin/rules/startup-support", "/admin/rules/regulation-exception"):
        page.goto(base + path)
        _check(page, camera, path.strip("/").replace("/", "_"), size, lang, keys, problems)
        if path != "/admin/rules":
            image = page.locator("figure.diagram img")
            width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
            assert width > 100, f"{path}: the diagram did not load"
            current = page.locator(".site-nav a[aria-current=page]")
            assert current.count() == 1 and current.get_attribute("href") == "/admin/rules"
    page.goto(base + "/admin/rules/startup-support/file")
    _check(page, camera, "startup-support_file", size, lang, keys, problems)
    page.goto(base + "/admin/rules/startup-support")
    page.get_by_role("button", name=re.compile("^(차이 보기|Show the differences)$")).click()
    page.wait_for_load_state()
    assert page.locator("li.change").count() >= 2  # the renamed state and the field no longer required
    _check(page, camera, "startup-support_diff", size, lang, keys, problems)
    context.close()
    assert not problems, "\n".join(problems)


@SIZE_AND_LANGUAGE
def test_reviewer_import(live_app, browser, tmp_path, size, lang):
    from openpyxl import Workbook

    app, people, base = live_app
    named_like_people(app, people)
    keys = internal_keys(app.extensions["workflow"])
    camera = Camera(f"admin-import-{size}-{lang}")
    problems: list[str] = []
    header = ["이름", "이메일", "소속", "사업", "언어"]
    bad = tmp_path / "reviewers-with-problems.csv"
    bad.write_text(
        "\r\n".join(
            [
                ",".join(header),
                "김평가,kim@univ.ac.kr,강원대학교,디지털헬스케어 창업지원,ko",
                "잘못된 주소,not-an-address,,,",
                "=HYPERLINK(1),formula@example.com,,,",
                "없는 사업,nope@example.com,,존재하지 않는 사업,",
            ]
        ),
        encoding="utf-8-sig",
    )
    good = tmp_path / "reviewers.xlsx"
    workbook = Workbook()
    for row in (
        header,
        ["김평가", "kim@univ.ac.kr", "강원대학교", "디지털헬스케어 창업지원", "ko"],
        ["Lee Review", "lee@example.com", "Hallym University", "", "en"],
    ):
        workbook.active.append(row)
    workbook.save(good)
    context = _context(browser, size, lang)
    page = context.new_page()
    _login(page, base, "admin@test.kr", PASSWORD)
    if lang == "en":
        _english(page, base)
    page.goto(base + "/admin/users/import")
    _check(page, camera, "upload", size, lang, keys, problems)
    page.set_input_files("#file", str(bad))
    page.locator("button[type=submit].primary").last.click()
    page.wait_for_load_state()
    assert page.locator("tr.has-error").count() == 3
    assert page.locator("input[name=payload]").count() == 0
    _check(page, camera, "preview-problems", size, lang, keys, problems)
    page.goto(base + "/admin/users/import")
    page.set_input_files("#file", str(good))
    page.locator("button[type=submit].primary").last.click()
    page.wait_for_load_state()
    _check(page, camera, "preview-ready", size, lang, keys, problems)
    page.locator("form[action$='/confirm'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/")
    _check(page, camera, "invited", size, lang, keys, problems)
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 2
    context.close()
    assert not problems, "\n".join(problems)
