"""Administration: role assignments per program take effect at once; the rule list shows problems."""

from __future__ import annotations

import re
import shutil

from sqlalchemy import update

from tests.conftest import People
from tests.web.conftest import FAST_HASH, login, make_app, post_form
from workflow.config import PROJECT_ROOT as ROOT
from workflow.models import User


def test_admin_gives_and_removes_a_program_role(app, web_people):
    admin = app.test_client()
    login(admin, web_people.admin)
    target = web_people.other
    user_page = f"/admin/users/{target.id}"
    post_form(
        admin, f"{user_page}/roles", {"role": "officer", "program_key": "startup-support"}, page_url=user_page
    )
    officer = app.test_client()
    login(officer, target)
    assert officer.get("/officer/programs/startup-support").status_code == 200
    assert officer.get("/officer/programs/regulation-exception").status_code == 404
    page = admin.get(user_page)
    assignment = re.search(rf"/admin/users/{target.id}/roles/(\d+)/remove", page.text).group(1)
    post_form(admin, f"{user_page}/roles/{assignment}/remove", {}, page_url=user_page)
    assert officer.get("/officer/programs/startup-support").status_code == 403


def test_admin_refusals_are_explained(app, web_people):
    admin = app.test_client()
    login(admin, web_people.admin)
    page = f"/admin/users/{web_people.other.id}"
    scoped = post_form(
        admin,
        f"{page}/roles",
        {"role": "auditor", "program_key": "startup-support"},
        page_url=page,
        follow_redirects=True,
    )
    assert "모든 사업" in scoped.text
    own = f"/admin/users/{web_people.admin.id}"
    assignment = re.search(rf"{own}/roles/(\d+)/remove", admin.get(own).text).group(1)
    refused = post_form(admin, f"{own}/roles/{assignment}/remove", {}, page_url=own, follow_redirects=True)
    assert "자신의 관리자 권한은 삭제할 수 없습니다" in refused.text


def test_rule_list_shows_versions_status_and_problems(sqlite_engine, clock, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    for source in (ROOT / "rules").glob("*.yaml"):
        shutil.copy(source, rules / source.name)
    shutil.copy(ROOT / "tests" / "fixtures" / "broken" / "guard_syntax.yaml", rules / "zz-broken.yaml")
    app = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))
    people = People(sqlite_engine)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    admin = app.test_client()
    login(admin, people.admin)
    page = admin.get("/admin/rules")
    for key, program in app.extensions["workflow"].registry.current.items():
        assert program.version in page.text and program.spec.title.ko in page.text, key
    assert "사용 중" in page.text and "거부됨" in page.text and "zz-broken.yaml:" in page.text
