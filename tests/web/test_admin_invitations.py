"""Inviting staff and reviewers: the account is made off with its roles, the invitation goes through the
outbox with a link from BASE_URL, the link works once and expires; the staff chain records it all."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import select

from tests.web.conftest import csrf_of, login, post_form
from workflow.audit.verify import verify_staff
from workflow.models import StaffEvent, User, UserRole
from workflow.services import admin as admin_service
from workflow.services import invitations

STRONG = "lantern-orbit-velvet-93"
LINK = re.compile(r"http://127\.0\.0\.1:5000(/invitation/\S+)")


def _mails(tmp_path) -> list:
    return [
        BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        for path in sorted((tmp_path / "mail").glob("*.eml"))
    ]


def _user(connection, email: str):
    return connection.execute(select(User.__table__).where(User.email == email)).mappings().one()


def _link(message) -> str:
    return LINK.search(message.get_body(preferencelist=("plain",)).get_content()).group(1)


def _invite(admin, **overrides):
    data = {
        "name": "김심사",
        "email": "Reviewer.Kim@univ.ac.kr",
        "organisation": "강원대학교",
        "language": "ko",
        "roles": ["reviewer|startup-support", "officer|regulation-exception"],
        **overrides,
    }
    return post_form(admin, "/admin/users/new", data, base_url="http://localhost")


def test_admin_invites_a_reviewer_who_sets_a_password_and_is_signed_in(app, web_people, tmp_path):
    admin = app.test_client()
    login(admin, web_people.admin)
    form = admin.get("/admin/users/new")
    assert "평가위원" in form.text and "사업담당자" in form.text
    assert 'name="csrf_token"' in form.text
    response = _invite(admin)
    assert response.status_code == 302
    engine = app.extensions["workflow"].db
    with engine.connect() as connection:
        user = _user(connection, "reviewer.kim@univ.ac.kr")
        roles = set(
            connection.execute(
                select(UserRole.role, UserRole.program_key).where(UserRole.user_id == user["id"])
            )
        )
        actions = [
            r.action
            for r in connection.execute(select(StaffEvent.action).where(StaffEvent.user_id == user["id"]))
        ]
        assert verify_staff(connection) is None
    assert not user["active"] and user["password_hash"] is None and user["invited_at"] is not None
    assert roles == {("reviewer", "startup-support"), ("officer", "regulation-exception")}
    assert actions == ["invite", "grant", "grant"]
    [mail] = _mails(tmp_path)
    assert mail["To"].addresses[0].addr_spec == "reviewer.kim@univ.ac.kr"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "localhost" not in body and "초대" in mail["Subject"]  # the link is built from BASE_URL
    link = _link(mail)
    # the admin sees the invitation waiting; the invitee cannot sign in yet
    listing = admin.get("/admin/?q=reviewer.kim")
    assert "초대함" in listing.text and "없음" in listing.text
    invitee = app.test_client()
    page = invitee.get(link)
    assert page.status_code == 200 and "김심사" in page.text
    weak = post_form(invitee, link, {"password": "password12", "confirm": "password12"})
    assert weak.status_code == 200 and "추측하기 쉬운" in weak.text
    accepted = post_form(invitee, link, {"password": STRONG, "confirm": STRONG})
    assert accepted.status_code == 302
    assert invitee.get("/review/").status_code == 200  # signed in, with the reviewer's pages
    with engine.connect() as connection:
        user = _user(connection, "reviewer.kim@univ.ac.kr")
        assert verify_staff(connection) is None
    assert user["active"] and user["invited_at"] is None and user["email_verified_at"] is not None
    assert user["last_signin_at"] is not None
    # single use: the same link now gets the clear page, and sets nothing
    again = app.test_client().get(link)
    assert again.status_code == 410 and "더 이상 쓸 수 없는" in again.text
    log = admin.get("/admin/roles/log")
    assert "초대를 수락" in log.text and "부여: 평가위원" in log.text


def test_a_new_invitation_ends_the_older_link_and_an_expired_link_gets_a_clear_page(
    app, web_people, tmp_path
):
    admin = app.test_client()
    login(admin, web_people.admin)
    _invite(admin)
    [first] = _mails(tmp_path)
    user_id = (
        app.extensions["workflow"]
        .db.connect()
        .execute(select(User.id).where(User.email == "reviewer.kim@univ.ac.kr"))
        .scalar_one()
    )
    app.extensions["workflow"].clock.advance(seconds=1)
    page = f"/admin/users/{user_id}"
    assert "초대 다시 보내기" in admin.get(page).text
    post_form(admin, f"{page}/invitation", {}, page_url=page)
    second = _mails(tmp_path)[-1]
    assert _link(first) != _link(second)
    invitee = app.test_client()
    assert invitee.get(_link(first)).status_code == 410
    app.config["INVITE_MAX_AGE"] = -1
    expired = invitee.get(_link(second))
    assert expired.status_code == 410 and "초대 기한이 지났습니다" in expired.text
    assert invitee.get("/invitation/not-a-token").status_code == 404
    app.config["INVITE_MAX_AGE"] = 3600
    assert post_form(invitee, _link(second), {"password": STRONG, "confirm": STRONG}).status_code == 302


def test_refusals_create_nothing(app, web_people, tmp_path):
    admin = app.test_client()
    login(admin, web_people.admin)
    taken = _invite(admin, email="applicant@test.kr")
    assert taken.status_code == 400 and "이미 있습니다" in taken.text
    none = _invite(admin, roles=[])
    assert none.status_code == 400
    forged = _invite(admin, roles=["admin|startup-support"])  # not one of the offered choices
    assert forged.status_code == 400
    assert not list((tmp_path / "mail").glob("*.eml"))


def test_non_admins_cannot_invite(app, web_people):
    officer = app.test_client()
    login(officer, web_people.officer)
    assert officer.get("/admin/users/new").status_code == 403
    token = csrf_of(officer.get("/").text)
    data = {"name": "x", "email": "x@x.kr", "language": "ko", "roles": "reviewer|", "csrf_token": token}
    assert officer.post("/admin/users/new", data=data).status_code == 403


def test_service_refuses_a_global_role_for_a_program_and_a_used_token(app, web_people):
    workflow = app.extensions["workflow"]
    programs = workflow.registry.current
    bad = invitations.Invitee("a@b.kr", "A", None, "ko", (("auditor", "startup-support"),))
    with pytest.raises(admin_service.AdminError) as refused:
        invitations.invite(workflow, bad, programs, web_people.admin.id)
    assert refused.value.code == "global_role"
    good = invitations.Invitee("a@b.kr", "A", None, "en", (("reviewer", None),))
    user_id = invitations.invite(workflow, good, programs, web_people.admin.id)
    with workflow.db.connect() as connection:
        token = invitations.invitation_token(connection, "test", user_id)
    invitations.accept(workflow, "test", token, STRONG)
    from workflow.services.accounts import AccountError

    with pytest.raises(AccountError) as used:
        invitations.accept(workflow, "test", token, STRONG)
    assert used.value.code == "invite_used"
    with pytest.raises(admin_service.AdminError) as accepted:
        invitations.resend(workflow, user_id, web_people.admin.id)
    assert accepted.value.code == "already_accepted"


def test_a_withdrawn_invitation_link_stops_working(app, web_people, tmp_path):
    admin = app.test_client()
    login(admin, web_people.admin)
    _invite(admin)
    [mail] = _mails(tmp_path)
    with app.extensions["workflow"].db.connect() as connection:
        user_id = _user(connection, "reviewer.kim@univ.ac.kr")["id"]
    page = f"/admin/users/{user_id}"
    assert "초대 취소" in admin.get(page).text and "계정 사용 재개" not in admin.get(page).text
    withdrawn = post_form(admin, f"{page}/invitation/withdraw", {}, page_url=page, follow_redirects=True)
    assert "초대를 취소했습니다" in withdrawn.text
    assert app.test_client().get(_link(mail)).status_code == 410
    with app.extensions["workflow"].db.connect() as connection:
        assert verify_staff(connection) is None
