"""Each shared notice template a rule file sends to the applicant's side has a name on the preference page
(a raw template key there would be English in the Korean page). A program's own templates (in its own
folder) are its own affair: they are not checked here, so a new program never breaks this test."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.money.test_money_order import FIXTURE
from tests.notices.conftest import make_app
from workflow.definitions.source import parse
from workflow.web.notices import NOTICE_KINDS, kind_label

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "templates" / "notices"


def _templates_used() -> set[str]:
    used = set()
    for path in (ROOT / "rules").glob("*.yaml"):
        raw, _places, _problems = parse(path.read_text(encoding="utf-8"))
        for notice in (raw.get("notices") or {}).values():
            used.add(notice["template"])
    return used


def test_every_shared_template_a_program_sends_has_a_name():
    shared = {t for t in _templates_used() if (SHARED / f"{t}.ko.txt").exists()}
    assert shared  # the rule files do use shared templates: the check is not vacuous
    assert sorted(shared - set(NOTICE_KINDS)) == []


def _program_with_own_template(tmp_path, sqlite_db, clock):
    """Two programs sending a notice of a template of their own: one names it (`label:`), one does not."""
    notices, rules = tmp_path / "notices", tmp_path / "rules"
    shutil.copytree(SHARED, notices)
    text = FIXTURE.read_text(encoding="utf-8")
    for key, label in (("named-grant", "label: {ko: 현장 점검 안내, en: Site visits}"), ("plain-grant", "")):
        (notices / key).mkdir()
        for lang in ("ko", "en"):
            (notices / key / f"site_visit.{lang}.txt").write_text(
                "Subject: #{{ application_id }}\n\n{{ link }}\n", encoding="utf-8"
            )
        notice = "{to: [applicant], template: site_visit" + (f", {label}" if label else "") + "}"
        own = text.replace("key: clawback-grant", f"key: {key}").replace(
            "  payment: {to: [applicant], template: payment,",
            f"  visit: {notice}\n  payment: {{to: [applicant], template: payment,",
        )
        rules.mkdir(exist_ok=True)
        (rules / f"{key}.yaml").write_text(
            own.replace("notice: payment", "notice: visit", 1), encoding="utf-8"
        )
    app = make_app(sqlite_db, tmp_path, clock, RULES_DIR=str(rules), NOTICE_TEMPLATES_DIR=str(notices))
    assert set(app.extensions["workflow"].registry.current) == {"named-grant", "plain-grant"}
    return app


def test_a_programs_own_template_is_named_by_its_label_or_by_the_program_never_by_its_key(
    sqlite_db, tmp_path, clock
):
    app = _program_with_own_template(tmp_path, sqlite_db, clock)
    registry = app.extensions["workflow"].registry
    named, plain = registry.current["named-grant"], registry.current["plain-grant"]
    with app.test_request_context("/"):
        assert kind_label("site_visit", named, "ko") == "현장 점검 안내"
        assert kind_label("site_visit", named, "en") == "Site visits"
        assert kind_label("site_visit", plain, "ko") == f"{plain.spec.title.ko} 알림"
        assert kind_label("site_visit") == "현장 점검 안내"  # any program's label names the shared kind
        assert kind_label("payment", plain, "ko") == "지급 내역"
        assert "site_visit" not in kind_label("site_visit", plain, "en")
