"""Follow-up applications (`open:` with `at:`, `follow_up_only:`), on the engine's own fixture files
tests/engine/rules/contract.yaml and contract-amendment.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import TEMPLATES_DIR, make_workflow
from workflow.definitions.registry import DefinitionRegistry
from workflow.engine.actors import load_actor
from workflow.models import Application, ApplicationLink
from workflow.services.programs import program_cards
from workflow.services.users import create_user

ENGINE_RULES = Path(__file__).parent / "rules"
CONTRACT = {"title": "원격 심전도 실증", "months": 12}


@pytest.fixture
def officer(db_engine):
    with db_engine.begin() as connection:
        user_id = create_user(
            connection,
            "contract-officer@test.kr",
            "officer",
            roles=[("officer", "contract"), ("officer", "contract-amendment")],
        )
    with db_engine.connect() as connection:
        return load_actor(connection, user_id)


def _signed_contract(workflow, people) -> int:
    created = workflow.create("contract", people.applicant, CONTRACT)
    assert created.ok, created.reason("en")
    assert workflow.fire(created.application_id, "sign", people.applicant).ok
    return created.application_id


def _amendment_of(workflow, contract_id) -> dict:
    with workflow.db.connect() as connection:
        target = connection.execute(
            select(ApplicationLink.target_id).where(ApplicationLink.source_id == contract_id)
        ).scalar_one()
        return dict(connection.execute(select(Application).where(Application.id == target)).mappings().one())


def test_a_follow_up_opens_at_the_named_state_with_fields_not_editable_there(
    db_engine, clock, people, officer
):
    workflow = make_workflow(db_engine, clock, ENGINE_RULES)
    contract = _signed_contract(workflow, people)
    # the amendment's own open period (January 2020) has long ended: it does not apply to a follow-up
    assert workflow.registry.latest("contract-amendment").spec.open.until.year == 2020
    opened = workflow.fire(contract, "request_amendment", officer)
    assert opened.ok, opened.reason("en")
    amendment = _amendment_of(workflow, contract)
    assert amendment["state"] == "review", "opened at `at: review`, not in the initial draft"
    assert amendment["data"] == {"contract_title": CONTRACT["title"], "months": 12}
    assert amendment["applicant_id"] == people.applicant.id
    # and it runs from there like any application
    sent_back = workflow.fire(amendment["id"], "send_back", officer, reason="기간을 다시 적어 주세요")
    assert sent_back.ok and sent_back.state == "draft"
    assert workflow.save_draft(amendment["id"], people.applicant, {"months": 18}).ok


def test_a_follow_up_only_program_is_neither_listed_nor_creatable_directly(db_engine, clock, people):
    workflow = make_workflow(db_engine, clock, ENGINE_RULES)
    refused = workflow.create("contract-amendment", people.applicant, {})
    assert not refused.ok and refused.refusal.code == "follow_up_only"
    assert "follow-up" in refused.reason("en") and "후속 신청" in refused.reason("ko")
    with workflow.db.connect() as connection:
        assert connection.execute(select(Application.id)).all() == []
    listed = {card.key for card in program_cards(workflow)}
    assert "contract" in listed and "contract-amendment" not in listed


def test_applying_to_a_follow_up_only_program_on_the_web_is_a_403_that_says_why(
    sqlite_engine, clock, tmp_path
):
    from tests.web.conftest import csrf_of, login, make_app, people_with_passwords

    app = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(ENGINE_RULES))
    people = people_with_passwords(app)
    client = app.test_client()
    login(client, people.applicant)
    assert client.get("/programs/contract-amendment").status_code == 404
    token = csrf_of(client.get("/programs/contract").text)
    response = client.post("/programs/contract-amendment/apply", data={"csrf_token": token})
    assert response.status_code == 403
    assert "후속 신청" in response.text


def _copy_rules(tmp_path, replace: dict[str, tuple[str, str]]) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("contract.yaml", "contract-amendment.yaml"):
        shutil.copy(ENGINE_RULES / name, rules / name)
    for name, (old, new) in replace.items():
        path = rules / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    return rules


def _problems(rules: Path) -> list:
    registry = DefinitionRegistry(rules, TEMPLATES_DIR)
    registry.load()
    return registry.problems


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def test_a_typo_in_a_copied_field_name_is_refused_at_load_with_its_line(tmp_path):
    rules = _copy_rules(tmp_path, {"contract.yaml": ("copy: {contract_title:", "copy: {contract_titel:")})
    problems = _problems(rules)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert Path(problem.file).name == "contract.yaml"
    assert problem.line == _line_of(rules / "contract.yaml", "contract_titel")
    assert (
        "copies into field 'contract_titel', but contract-amendment.yaml has no such field" in problem.message
    )
    assert "did you mean 'contract_title'?" in problem.hint


def test_a_copy_that_reads_an_unknown_field_of_its_own_program_is_refused(tmp_path):
    rules = _copy_rules(
        tmp_path, {"contract.yaml": ("contract_title: data.title", "contract_title: data.titel")}
    )
    (problem,) = _problems(rules)
    assert "unknown field 'data.titel'" in problem.message
    assert problem.line == _line_of(rules / "contract.yaml", "data.titel")


def test_opening_at_a_state_the_other_program_lacks_is_refused_at_load(tmp_path):
    rules = _copy_rules(tmp_path, {"contract.yaml": ("at: review", "at: reveiw")})
    (problem,) = _problems(rules)
    assert problem.line == _line_of(rules / "contract.yaml", "at: reveiw")
    assert "opens 'contract-amendment' at state 'reveiw', but contract-amendment.yaml has no such state" in (
        problem.message
    )


def test_a_follow_up_only_program_that_nothing_opens_is_refused(tmp_path):
    rules = _copy_rules(tmp_path, {})
    (rules / "contract.yaml").unlink()
    (problem,) = _problems(rules)
    assert problem.line == _line_of(rules / "contract-amendment.yaml", "follow_up_only: true")
    assert "follow_up_only, but no rule file opens it" in problem.message
