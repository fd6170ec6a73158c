"""Partners on a joint application, through the pages (tests/fixtures/programs/joint-text.yaml): the
owner links a co-applicant by e-mail, the partner finds it under "My applications", both see who confirmed
the final text and what is still needed; nobody else may link anyone."""

from __future__ import annotations

import re

import pytest

from tests.conftest import FIXTURES, People, rules_folder
from tests.web.conftest import FAST_HASH, csrf_of, login, make_app
from workflow.models import User

TEXT = {"body": "AI 기반 만성질환 원격관리 플랫폼: 기업은 플랫폼, 대학은 임상 검증을 맡습니다."}


@pytest.fixture
def joint_app(sqlite_engine, clock, tmp_path):
    rules = rules_folder(tmp_path, FIXTURES / "programs" / "joint-text.yaml")
    return make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))


@pytest.fixture
def people(joint_app) -> People:
    engine = joint_app.extensions["workflow"].db
    people = People(engine)
    with engine.begin() as connection:
        connection.execute(User.__table__.update().values(password_hash=FAST_HASH))
    return people


def _add_partner(client, app_id: int, email: str, relation: str = "co_applicant"):
    page = client.get(f"/applications/{app_id}")
    form = {"member-email": email, "member-relation": relation, "member-csrf_token": csrf_of(page.text)}
    return client.post(f"/applications/{app_id}/members", data=form, follow_redirects=True)


def test_the_owner_links_a_partner_who_then_finds_and_confirms_the_application(joint_app, people):
    workflow = joint_app.extensions["workflow"]
    app_id = workflow.create("joint-text", people.applicant, TEXT).application_id
    owner = joint_app.test_client()
    login(owner, people.applicant)
    page = owner.get(f"/applications/{app_id}").text
    assert "공동신청인" in page and "아직 연결된 협력기관이 없습니다" in page

    added = _add_partner(owner, app_id, "other@test.kr")
    assert added.status_code == 200 and "이제 이 신청서를 보고 함께 작성할 수 있습니다" in added.text
    assert workflow.fire(app_id, "submit", people.applicant).ok  # the company confirms the final text

    partner = joint_app.test_client()
    login(partner, people.other)
    assert f"/applications/{app_id}" in partner.get("/my").text  # linked, not owned: still listed
    status = " ".join(re.sub(r"<[^>]+>", " ", partner.get(f"/applications/{app_id}").text).split())
    assert "2명 중 1명 승인" in status and "남은 승인: 공동신청인 1명" in status  # shown to the partner too
    assert "Add partner" not in status and "협력기관 추가" not in status  # only the owner links partners
    assert workflow.fire(app_id, "submit", people.other).state == "submitted"


def test_only_the_owner_may_link_and_a_bad_address_is_said_plainly(joint_app, people):
    workflow = joint_app.extensions["workflow"]
    app_id = workflow.create("joint-text", people.applicant, TEXT).application_id
    owner = joint_app.test_client()
    login(owner, people.applicant)
    unknown = _add_partner(owner, app_id, "nobody@test.kr")
    assert "nobody@test.kr" in unknown.text and "찾을 수 없습니다" in unknown.text
    assert "올바른 이메일 주소를 입력하세요" in _add_partner(owner, app_id, "not-an-address").text
    not_a_partner_role = _add_partner(owner, app_id, "other@test.kr", relation="officer").text
    assert "올바르지 않은 선택값입니다" in not_a_partner_role

    stranger = joint_app.test_client()
    login(stranger, people.other)
    refused = stranger.post(f"/applications/{app_id}/members", data={"member-email": "x@test.kr"})
    assert refused.status_code in (400, 404)  # no CSRF token, and not theirs to see: never a link
