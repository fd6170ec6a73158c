"""A rule file declares roles of its own (`custom_roles:`): /admin grants them per program, fire()
honours them, refusals and notices name them, and the checker keeps them apart from the built-in ones."""

from __future__ import annotations

import ast
import shutil

import pytest
from sqlalchemy import select

from tests.conftest import FIXTURES, TEMPLATES_DIR, People
from tests.web.conftest import FAST_HASH, login, make_app, post_form
from workflow.config import PROJECT_ROOT
from workflow.definitions.loader import load_file
from workflow.definitions.registry import NoticeTemplates
from workflow.engine.actors import load_actor
from workflow.engine.members import add_member
from workflow.models import Notification, User, UserRole
from workflow.vocabulary.roles import ROLES

COMMITTEE = FIXTURES / "registries" / "committee-grant.yaml"


@pytest.fixture
def committee_app(sqlite_engine, clock, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(COMMITTEE, rules / "committee-grant.yaml")
    return make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))


@pytest.fixture
def people(committee_app) -> People:
    engine = committee_app.extensions["workflow"].db
    people = People(engine)
    with engine.begin() as connection:
        connection.execute(User.__table__.update().values(password_hash=FAST_HASH))
    return people


def _confirmed(app, people) -> int:
    workflow = app.extensions["workflow"]
    app_id = workflow.create("committee-grant", people.applicant, {"project": "양자"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    assert add_member(workflow, app_id, people.applicant, "other@test.kr", "liaison").ok
    confirmed = workflow.fire(app_id, "confirm", people.other)  # `other` is now the ministry liaison
    assert confirmed.ok, confirmed.reason("en")
    return app_id


def test_admin_grants_a_programs_own_role_and_fire_honours_it(committee_app, people):
    workflow = committee_app.extensions["workflow"]
    app_id = _confirmed(committee_app, people)
    member = people.reviewer1
    refused = workflow.fire(app_id, "recommend", member)
    assert (
        not refused.ok
        and "선정위원회" in refused.reason("ko")
        and "Selection committee" in refused.reason("en")
    )

    admin = committee_app.test_client()
    login(admin, people.admin)
    page = f"/admin/users/{member.id}"
    assert "선정위원회" in admin.get(page).text  # offered in the role list
    granted = post_form(
        admin, f"{page}/roles", {"role": "committee", "program_key": "committee-grant"}, follow_redirects=True
    )
    assert "선정위원회" in granted.text
    with workflow.db.connect() as connection:
        member = load_actor(connection, member.id)
    recommended = workflow.fire(app_id, "recommend", member)
    assert recommended.ok and recommended.state == "recommended"
    with workflow.db.connect() as connection:
        told = set(connection.execute(select(Notification.user_id)).scalars())
    assert {member.id, people.applicant.id} <= told  # the notice reached the committee member


def test_a_programs_own_role_is_not_given_for_all_programs(committee_app, people):
    admin = committee_app.test_client()
    login(admin, people.admin)
    page = f"/admin/users/{people.reviewer2.id}"
    refused = post_form(
        admin, f"{page}/roles", {"role": "committee", "program_key": ""}, follow_redirects=True
    )
    assert "이 역할은 한 사업의 역할입니다" in refused.text
    with committee_app.extensions["workflow"].db.connect() as connection:
        held = connection.execute(select(UserRole.role).where(UserRole.user_id == people.reviewer2.id))
        assert "committee" not in set(held.scalars())


def test_the_checker_keeps_a_programs_roles_apart_from_the_built_in_ones(tmp_path):
    text = COMMITTEE.read_text(encoding="utf-8")
    broken = tmp_path / "committee-grant.yaml"
    broken.write_text(
        text.replace("  liaison: {label:", "  officer: {label:").replace(
            "roles: [applicant, officer, committee, liaison]",
            "roles: [applicant, officer, committee, liason]",
        ),
        encoding="utf-8",
    )
    messages = [p.message for p in load_file(broken, NoticeTemplates(TEMPLATES_DIR)).problems]
    assert "'officer' is a built-in role" in messages
    assert "unknown role 'liason'" in messages


STAFF_WORDING = {
    "ko": ("위원 검토 중", "신청인 안내", "지금은 신청인이 할 일이 없습니다."),
    "en": (
        "Committee review",
        "Where the application is",
        "Shown to the applicant",
        "No action is needed from the applicant.",
    ),
}
APPLICANT_WORDING = {
    "ko": ("심사 중", "지금은 하실 일이 없습니다.", "나의 신청"),
    "en": ("Under review", "Where your application is", "No action is needed from you.", "My applications"),
}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_programs_staff_like_role_reads_the_status_page_as_staff(committee_app, people, lang):
    """Who reads the staff wording comes from the role's kind (`like: staff`), not from its name: the
    committee member reads what the program's officer reads; the applicant keeps the applicant's."""
    app_id = _confirmed(committee_app, people)
    with committee_app.extensions["workflow"].db.begin() as connection:
        for user, role in ((people.reviewer1, "committee"), (people.officer, "officer")):
            connection.execute(
                UserRole.__table__.insert().values(user_id=user.id, role=role, program_key="committee-grant")
            )
    pages = {}
    for name in ("reviewer1", "officer", "applicant"):
        client = committee_app.test_client()
        login(client, getattr(people, name))
        post_form(client, "/language", {"lang": lang, "next": "/"}, page_url="/")
        pages[name] = client.get(f"/applications/{app_id}").text
    for staff in ("reviewer1", "officer"):
        page = pages[staff]
        assert all(text in page for text in STAFF_WORDING[lang]), staff
        assert not any(text in page for text in APPLICANT_WORDING[lang]), staff
        assert "규칙 버전" in page or "Rule version" in page
    assert 'value="recommend"' in pages["reviewer1"]  # the member's own action is offered
    assert all(text in pages["applicant"] for text in APPLICANT_WORDING[lang])
    assert not any(text in pages["applicant"] for text in STAFF_WORDING[lang])


def test_a_programs_staff_like_role_is_told_in_its_holders_language(committee_app, people):
    workflow = committee_app.extensions["workflow"]
    app_id = _confirmed(committee_app, people)
    with workflow.db.begin() as connection:
        connection.execute(
            UserRole.__table__.insert().values(
                user_id=people.reviewer1.id, role="committee", program_key="committee-grant"
            )
        )
        connection.execute(
            User.__table__.update().where(User.id == people.reviewer1.id).values(language="en")
        )
    with workflow.db.connect() as connection:
        member = load_actor(connection, people.reviewer1.id)
    assert workflow.fire(app_id, "recommend", member).ok
    with workflow.db.connect() as connection:
        told = dict(
            connection.execute(
                select(Notification.user_id, Notification.subject).where(
                    Notification.application_id == app_id
                )
            ).all()
        )
    assert told[member.id] == f"[Committee grant] Application received (#{app_id})"
    assert told[people.applicant.id] == f"[위원회 심사 지원] 신청서가 접수되었습니다 (#{app_id})"


# the bulk demo generator's preference of who acts in generated data: an order, not a set of rights
ROLE_ORDER_OF_THE_GENERATOR = "workflow/performance/walk.py"


def test_python_lists_no_set_of_roles_the_registry_should_give():
    """Who may use a page comes from the role registry's capabilities (`roles_that`), never a literal
    tuple, list or set of role names, so a role added to the registry is honoured everywhere."""
    found = []
    for path in sorted((PROJECT_ROOT / "workflow").rglob("*.py")):
        name = path.relative_to(PROJECT_ROOT).as_posix()
        if name in ("workflow/vocabulary/roles.py", ROLE_ORDER_OF_THE_GENERATOR):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.Set | ast.List):
                roles = [e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in ROLES]
                if len(roles) >= 2:
                    found.append(f"{name}:{node.lineno} {roles}")
    assert not found
