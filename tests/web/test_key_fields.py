"""Pages show the fields a rule file's `key_fields:` names as the title, amount and organisation;
Python names no field of a rule file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.conftest import FIXTURES, RULES_DIR, TEMPLATES_DIR
from tests.web.conftest import FAST_HASH, login, make_app
from workflow.definitions.loader import load_file
from workflow.definitions.registry import NoticeTemplates
from workflow.engine.actors import load_actor
from workflow.models import User
from workflow.services.users import create_user

PROJECT = Path(__file__).resolve().parents[2]
RESEARCH = FIXTURES / "registries" / "research-fund.yaml"
DATA = {
    "institute": "KAIST",
    "project_title": "양자 센서",
    "total_cost": 90_000_000,
    "funds_asked": 30_000_000,
}


@pytest.fixture
def research_app(sqlite_engine, clock, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(RESEARCH, rules / "research-fund.yaml")
    return make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))


@pytest.fixture
def cast(research_app):
    engine = research_app.extensions["workflow"].db
    staff = [("officer", "research-fund"), ("finance", "research-fund")]
    with engine.begin() as connection:
        ids = {
            "applicant": create_user(connection, "lab@test.kr", "연구자", organisation="개인"),
            "staff": create_user(connection, "staff@test.kr", "담당", roles=staff),
            "same_org": create_user(
                connection,
                "r1@test.kr",
                "같은기관 평가위원",
                organisation="KAIST",
                roles=[("reviewer", None)],
            ),
            "elsewhere": create_user(
                connection,
                "r2@test.kr",
                "다른기관 평가위원",
                organisation="POSTECH",
                roles=[("reviewer", None)],
            ),
        }
        connection.execute(update(User).values(password_hash=FAST_HASH))
    with engine.connect() as connection:
        return {name: load_actor(connection, user_id) for name, user_id in ids.items()}


def _submitted(app, cast) -> int:
    workflow = app.extensions["workflow"]
    created = workflow.create("research-fund", cast["applicant"], DATA)
    assert created.ok, created.reason("en")
    assert workflow.fire(created.application_id, "submit", cast["applicant"]).ok
    return created.application_id


def test_the_board_shows_the_declared_title_and_amount(research_app, cast):
    app_id = _submitted(research_app, cast)
    client = research_app.test_client()
    login(client, cast["staff"])
    board = client.get("/officer/programs/research-fund").text
    assert "과제명" in board and "연구비 신청액" in board  # the columns take the fields' labels
    assert "양자 센서" in board and "30,000,000원" in board and "90,000,000원" not in board
    assert "양자 센서" in client.get("/officer/programs/research-fund?q=양자").text
    detail = client.get(f"/officer/applications/{app_id}").text
    excluded = detail[detail.index("같은기관 평가위원") :]
    assert re.search(r"같은 기관|same organisation", excluded[:200])  # institute = reviewer's organisation


def test_the_status_page_and_dashboard_show_the_declared_title(research_app, cast):
    app_id = _submitted(research_app, cast)
    client = research_app.test_client()
    login(client, cast["applicant"])
    status = client.get(f"/applications/{app_id}").text
    assert "과제명" in status and "양자 센서" in status and "30,000,000원" in status
    assert "양자 센서" in client.get("/my").text


def test_the_finance_pages_show_the_declared_title(research_app, cast):
    app_id = _submitted(research_app, cast)
    assert research_app.extensions["workflow"].fire(app_id, "fund", cast["staff"]).ok
    client = research_app.test_client()
    login(client, cast["staff"])
    assert "양자 센서" in client.get("/finance/programs/research-fund").text
    assert "양자 센서" in client.get(f"/finance/awards/{app_id}").text


def test_the_reviewer_sees_the_declared_organisation_before_declaring(research_app, cast):
    app_id = _submitted(research_app, cast)
    from workflow.services import reviews

    assert reviews.assign(research_app.extensions["workflow"], app_id, cast["elsewhere"].id, cast["staff"]).ok
    reviews.accept_pledge(research_app.extensions["workflow"], cast["elsewhere"])
    client = research_app.test_client()
    login(client, cast["elsewhere"])
    page = client.get(f"/review/{app_id}/declare").text
    assert "KAIST" in page and "양자 센서" not in page


def test_defaults_keep_the_shipped_programs_as_they_were():
    from workflow.definitions.registry import DefinitionRegistry

    registry = DefinitionRegistry(RULES_DIR, TEMPLATES_DIR)
    registry.load()
    startup = registry.latest("startup-support")
    assert (startup.title_field, startup.amount_field, startup.organisation_field) == (
        "company_name",
        "requested_amount",
        "company_name",
    )
    assert registry.latest("regulation-exception").amount_field is None


def test_key_fields_must_name_fields_of_the_right_type(tmp_path):
    broken = tmp_path / "research-fund.yaml"
    text = RESEARCH.read_text(encoding="utf-8")
    broken.write_text(
        text.replace("amount: funds_asked", "amount: institute").replace(
            "title: project_title", "title: projct_title"
        ),
        encoding="utf-8",
    )
    messages = [p.message for p in load_file(broken, NoticeTemplates(TEMPLATES_DIR)).problems]
    assert "key_fields.title names unknown field 'projct_title'" in messages
    assert "key_fields.amount is a text field" in messages


def test_python_names_no_field_of_a_rule_file():
    names = re.compile(r"company_name|requested_amount")
    found = [
        f"{path.relative_to(PROJECT)}:{number}"
        for folder in ("workflow", "forms", "templates")
        for path in sorted((PROJECT / folder).rglob("*"))
        if path.suffix in (".py", ".html", ".txt")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if names.search(line)
    ]
    assert not found
