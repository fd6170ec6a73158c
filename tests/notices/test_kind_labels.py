"""Each shared notice template a rule file sends to the applicant's side has a name on the preference page
(a raw template key there would be English in the Korean page). A program's own templates (in its own
folder) are its own affair: they are not checked here, so a new program never breaks this test."""

from __future__ import annotations

from pathlib import Path

from workflow.definitions.source import parse
from workflow.web.notices import NOTICE_KINDS

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
