"""A program overrides a shared notice or letter template without renaming it: `<program key>/<name>.<lang>.txt`
beside the shared file wins for that program only."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from tests.conftest import PROJECT_ROOT
from tests.money.test_money_order import FIXTURE
from tests.notices.conftest import make_app
from tests.notices.helpers import pdf_text
from workflow.definitions.loader import load_file
from workflow.definitions.registry import NoticeTemplates
from workflow.engine.actors import load_actor
from workflow.models import Letter, Notification, OutboxMessage
from workflow.services.users import create_user

OWN = "clawback-grant"
OTHER = "shared-grant"


def folders(tmp_path):
    notices, letters, rules = tmp_path / "notices", tmp_path / "letters", tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "templates" / "notices", notices)
    shutil.copytree(PROJECT_ROOT / "templates" / "letters", letters)
    (notices / OWN).mkdir()
    (notices / OWN / "recovery_recorded.ko.txt").write_text(
        "Subject: [맞춤] 환수 결과 #{{ application_id }}\n\n환수 합계 {{ recovery_total }}\n{{ link }}\n",
        encoding="utf-8",
    )
    (notices / OWN / "recovery_recorded.en.txt").write_text(
        "Subject: [Own] Recovery #{{ application_id }}\n\nTotal {{ recovery_total }}\n{{ link }}\n",
        encoding="utf-8",
    )
    (letters / OWN).mkdir()
    (letters / OWN / "recovery_recorded.ko.txt").write_text(
        "1. 이 사업만의 환수 통지문입니다: {{ recovery_total }}\n끝.\n", encoding="utf-8"
    )
    rules.mkdir()
    text = FIXTURE.read_text(encoding="utf-8")
    (rules / f"{OWN}.yaml").write_text(text, encoding="utf-8")
    (rules / f"{OTHER}.yaml").write_text(text.replace(f"key: {OWN}", f"key: {OTHER}"), encoding="utf-8")
    return notices, letters, rules


def recovered_once(workflow, key: str, number: int) -> int:
    with workflow.db.begin() as connection:
        applicant = create_user(connection, f"firm{number}@test.kr", "firm", roles=[])
        officer = create_user(connection, f"o{number}@test.kr", "officer", roles=[("officer", key)])
        finance = create_user(connection, f"f{number}@test.kr", "finance", roles=[("finance", key)])
    with workflow.db.connect() as connection:
        applicant, officer, finance = (load_actor(connection, i) for i in (applicant, officer, finance))
    data = {"company_name": "강원바이오", "requested_amount": 20_000_000}
    app_id = workflow.create(key, applicant, data).application_id
    for trigger, actor in (("submit", applicant), ("approve", officer)):
        assert workflow.fire(app_id, trigger, actor).ok
    assert workflow.fire(app_id, "terminate", officer, reason="협약 위반").ok
    assert workflow.fire(app_id, "recover_half_paid", finance).ok
    return app_id


def recovery_notice(workflow, app_id) -> tuple[str, str]:
    """(inbox subject, letter text) of the application's recovery notice."""
    with workflow.db.connect() as connection:
        outbox_id = connection.execute(
            select(OutboxMessage.id).where(
                OutboxMessage.application_id == app_id, OutboxMessage.notice == "recovered"
            )
        ).scalar_one()
        subject = connection.execute(
            select(Notification.subject)
            .where(Notification.application_id == app_id)
            .order_by(Notification.id.desc())
        ).first()[0]
        letter = connection.execute(select(Letter.content).where(Letter.outbox_id == outbox_id)).scalar_one()
    return subject, letter


def test_a_program_folder_overrides_the_shared_template_for_that_program_only(sqlite_db, tmp_path, clock):
    notices, letters, rules = folders(tmp_path)
    app = make_app(
        sqlite_db,
        tmp_path,
        clock,
        RULES_DIR=str(rules),
        NOTICE_TEMPLATES_DIR=str(notices),
        LETTER_TEMPLATES_DIR=str(letters),
    )
    workflow = app.extensions["workflow"]
    own, other = recovered_once(workflow, OWN, 1), recovered_once(workflow, OTHER, 2)

    subject, letter = recovery_notice(workflow, own)
    assert subject == f"[맞춤] 환수 결과 #{own}"
    (tmp_path / "own.pdf").write_bytes(letter)
    assert "이 사업만의 환수 통지문입니다: 5,000,000원" in pdf_text(tmp_path / "own.pdf")

    subject, letter = recovery_notice(workflow, other)
    assert subject == f"[환수 시험 사업] 지원금 환수 처리 안내 (#{other})"
    (tmp_path / "other.pdf").write_bytes(letter)
    assert "가. 환수 원금: 5,000,000원" in pdf_text(tmp_path / "other.pdf")


def test_the_checker_finds_a_template_in_the_program_folder(tmp_path):
    notices, _letters, rules = folders(tmp_path)
    for lang in ("ko", "en"):
        (notices / OWN / f"own_only.{lang}.txt").write_text("Subject: x\n\ny\n", encoding="utf-8")
    text = (
        (rules / f"{OWN}.yaml")
        .read_text(encoding="utf-8")
        .replace("template: recovery_recorded", "template: own_only")
    )
    (rules / f"{OWN}.yaml").write_text(text, encoding="utf-8")
    (rules / f"{OTHER}.yaml").write_text(text.replace(f"key: {OWN}", f"key: {OTHER}"), encoding="utf-8")
    assert load_file(rules / f"{OWN}.yaml", NoticeTemplates(notices)).problems == []
    problems = [str(p) for p in load_file(rules / f"{OTHER}.yaml", NoticeTemplates(notices)).problems]
    assert any("notice 'recovered' has no template 'own_only'" in p for p in problems), problems


def test_the_documented_template_variables_are_those_the_renderer_gives():
    """rules/README.md lists every variable a notice template can use: the same names as the context."""
    from datetime import UTC, datetime

    from workflow.engine.records import ApplicationRow
    from workflow.notices.recipients import Recipient
    from workflow.notices.render import NoticeFacts, Renderer

    readme = (PROJECT_ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    table = readme.split("| variable | what it holds |")[1].split("\n\n")[0]
    documented = {name.strip(" `") for row in table.splitlines()[2:] for name in row.split("|")[1].split(",")}
    program = load_file(FIXTURE, lambda *_: True).program
    row = ApplicationRow(1, OWN, "1", "sha", "screening", {}, {}, 1, 1, 1, "", None)
    outbox = {"payload": {}, "created_at": datetime.now(UTC), "notice": "recovered", "template": "x"}
    facts = NoticeFacts(row, program, outbox, None, [], None)
    who = Recipient(1, "홍길동", "a@b.kr", "ko", "", (), "applicant")
    assert documented == set(
        Renderer(PROJECT_ROOT / "templates" / "notices", "https://x").context(facts, who)
    )
