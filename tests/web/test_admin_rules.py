"""The rules pages: a program's diagram as SVG (drawn by graphviz-pure), its versions with the applications
on each, the differences between two versions, and the file as escaped, highlighted text."""

from __future__ import annotations

import re
import shutil

from sqlalchemy import update

from tests.conftest import People
from tests.web.conftest import FAST_HASH, login, make_app
from workflow.config import PROJECT_ROOT as ROOT
from workflow.definitions.diff import diff
from workflow.definitions.schema import ProgramSpec
from workflow.definitions.source import parse
from workflow.models import User
from workflow.services import rule_files

SOURCE = (ROOT / "rules" / "startup-support.yaml").read_text(encoding="utf-8")


def test_the_diagram_is_an_svg_with_the_state_labels(app, web_people):
    admin = app.test_client()
    login(admin, web_people.admin)
    program = app.extensions["workflow"].registry.current["startup-support"]
    page = admin.get("/admin/rules/startup-support")
    assert page.status_code == 200
    assert f"/admin/rules/startup-support/diagram.svg?version={program.sha256}" in page.text
    svg = admin.get(f"/admin/rules/startup-support/diagram.svg?version={program.sha256}")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    text = svg.get_data(as_text=True)
    assert "<svg" in text and program.state_label(program.initial, "ko") in text
    assert "<script" not in text
    assert svg.headers["Content-Security-Policy"].startswith("default-src 'none'")
    # the menu highlights only the current entry
    current = re.findall(r'<a href="([^"]+)" aria-current="page"', page.text)
    assert current == ["/admin/rules"]


def test_versions_counts_and_the_file_escaped(app, web_people, store):
    from tests.factories import submitted_startup

    workflow = app.extensions["workflow"]
    submitted_startup(workflow, web_people, store)
    admin = app.test_client()
    login(admin, web_people.admin)
    page = admin.get("/admin/rules/startup-support")
    assert "사용 중" in page.text and "/officer/programs/startup-support?state=" in page.text
    source = admin.get("/admin/rules/startup-support/file")
    assert source.status_code == 200
    assert '<span class="yk">key</span>' in source.text
    assert source.text.count("<script") == 1  # the site's own script tag only
    assert admin.get("/admin/rules/startup-support/file?version=zz").status_code == 404
    assert admin.get(f"/admin/rules/startup-support/file?version={'0' * 64}").status_code == 404
    assert admin.get("/admin/rules/no-such-program").status_code == 404


def test_non_admins_get_403(app, web_people):
    officer = app.test_client()
    login(officer, web_people.officer)
    for url in (
        "/admin/rules/startup-support",
        "/admin/rules/startup-support/diagram.svg",
        "/admin/rules/startup-support/file",
        "/admin/rules/startup-support/diff",
    ):
        assert officer.get(url).status_code == 403, url


def test_diff_names_states_transitions_and_fields():
    before = ProgramSpec.model_validate(parse(SOURCE)[0])
    data = parse(SOURCE)[0]
    first_state = next(iter(data["states"]))
    data["states"][first_state]["label"] = {"ko": "새 이름", "en": "New name"}
    final = next(name for name, state in data["states"].items() if (state or {}).get("final"))
    data["states"]["archived"] = {"final": True}
    stage_name, stage = next(iter(data["stages"].items()))
    first_field = stage["fields"][0]
    first_field["required"] = not first_field.get("required", False)
    stage["fields"].append({**first_field, "name": "brand_new"})
    removed = data["transitions"].pop()
    after = ProgramSpec.model_validate(data)
    changes = diff(before, after)
    states = {c.name: c for c in changes.states}
    assert states["archived"].kind == "added" and final not in states
    assert states[first_state].kind == "changed" and [a[0] for a in states[first_state].attributes] == [
        "label"
    ]
    assert [c.kind for c in changes.transitions if c.name.startswith(removed["trigger"] + ":")] == ["removed"]
    fields = {c.name: c for c in changes.fields}
    assert fields[f"{stage_name}.brand_new"].kind == "added"
    required = fields[f"{stage_name}.{first_field['name']}"]
    assert [a[0] for a in required.attributes] == ["required"]
    assert diff(before, before).empty


def test_two_versions_on_the_page_and_their_diff(sqlite_engine, clock, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    for source in (ROOT / "rules").glob("*.yaml"):
        shutil.copy(source, rules / source.name)
    app = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))
    people = People(sqlite_engine)
    with sqlite_engine.begin() as connection:
        connection.execute(update(User).values(password_hash=FAST_HASH))
    workflow = app.extensions["workflow"]
    first = workflow.registry.current["startup-support"]
    workflow.registry.publish_all(workflow.db)
    (rules / "startup-support.yaml").write_text(
        "# <script>alert(1)</script> & a comment\n"
        + SOURCE.replace('version: "2026.3"', 'version: "2026.4"', 1).replace(
            "reviewers_per_application: 3", "reviewers_per_application: 2", 1
        ),
        encoding="utf-8",
    )
    workflow.registry.load()
    workflow.registry.publish_all(workflow.db)
    second = workflow.registry.current["startup-support"]
    assert first.sha256 != second.sha256
    with workflow.db.connect() as connection:
        found = rule_files.versions(connection, workflow.registry, "startup-support")
    assert [v.sha256 for v in found][:1] == [second.sha256] and first.sha256 in {v.sha256 for v in found}
    admin = app.test_client()
    login(admin, people.admin)
    page = admin.get("/admin/rules/startup-support")
    assert "2026.3" in page.text and "2026.4" in page.text and "차이 보기" in page.text
    old = admin.get(f"/admin/rules/startup-support?version={first.sha256}")
    assert old.status_code == 200 and "이전 버전" in old.text
    changes = admin.get(f"/admin/rules/startup-support/diff?from={first.sha256}&to={second.sha256}")
    assert changes.status_code == 200 and "<code>review</code>" in changes.text
    source = admin.get(f"/admin/rules/startup-support/file?version={second.sha256}")
    assert '<span class="yc"># &lt;script&gt;alert(1)&lt;/script&gt; &amp; a comment</span>' in source.text
