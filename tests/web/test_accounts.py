"""Sign-up and password reset by e-mail token (the e-mail goes through the notices mailer)."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser

import pytest

from tests.web.conftest import PASSWORD, csrf_of, login, post_form
from workflow.services import accounts
from workflow.services.signin_limits import LIMIT_PER_ADDRESS

STRONG = "maple-harbor-quietly-47"


def test_signup_for_a_company_then_sign_in(app, client):
    missing_company = post_form(
        client,
        "/signup",
        {
            "kind": "company",
            "name": "한창업",
            "email": "new@healthon.kr",
            "password": STRONG,
            "confirm": STRONG,
        },
    )
    assert "기업명을 입력하세요" in missing_company.text and 'value="new@healthon.kr"' in missing_company.text
    made = post_form(
        client,
        "/signup",
        {
            "kind": "company",
            "name": "한창업",
            "organisation": "헬스온",
            "email": "new@healthon.kr",
            "password": STRONG,
            "confirm": STRONG,
        },
    )
    assert made.status_code == 302
    again = post_form(
        client,
        "/signup",
        {
            "kind": "individual",
            "name": "다른 사람",
            "email": "NEW@healthon.kr",
            "password": STRONG,
            "confirm": STRONG,
        },
    )
    assert "이미 가입된 이메일" in again.text
    page = client.get("/login")
    signed_in = client.post(
        "/login",
        data={"email": "new@healthon.kr", "password": STRONG, "csrf_token": csrf_of(page.text)},
    )
    assert signed_in.status_code == 302


def test_password_reset_by_mailed_token(app, client, web_people, tmp_path):
    post_form(client, "/password/forgot", {"email": "applicant@test.kr"})
    mails = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(mails) == 1
    message = BytesParser(policy=policy.default).parsebytes(mails[0].read_bytes())
    assert message["To"].addresses[0].addr_spec == "applicant@test.kr"
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://localhost(/password/reset/\S+)", body).group(1)
    changed = post_form(
        client, link, {"password": "lantern-orbit-velvet-93", "confirm": "lantern-orbit-velvet-93"}
    )
    assert changed.status_code == 302
    reused = post_form(
        client, link, {"password": "another-lantern-crisp-58", "confirm": "another-lantern-crisp-58"}
    )
    assert "더 이상 유효하지 않은 링크" in reused.text
    page = client.get("/login")
    old = client.post(
        "/login", data={"email": "applicant@test.kr", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    assert old.status_code == 200
    login_with_new = client.post(
        "/login",
        data={
            "email": "applicant@test.kr",
            "password": "lantern-orbit-velvet-93",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert login_with_new.status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(app, client, tmp_path):
    response = post_form(client, "/password/forgot", {"email": "nobody@test.kr"}, follow_redirects=True)
    assert "가입된 주소라면" in response.text
    assert not list((tmp_path / "mail").glob("*.eml"))


def test_expired_and_forged_tokens_are_refused(app, web_people):
    db = app.extensions["workflow"].db
    _user, token = accounts.reset_token(db, "test", "applicant@test.kr")
    with pytest.raises(accounts.AccountError) as expired:
        accounts.reset_password(db, "test", token, "lantern-orbit-velvet-93", max_age=-1)
    assert expired.value.code == "token_expired"
    with pytest.raises(accounts.AccountError) as forged:
        accounts.reset_password(db, "other-secret", token, "lantern-orbit-velvet-93")
    assert forged.value.code == "token_invalid"


def test_rate_limit_per_address_across_accounts(app, client, web_people):
    token = csrf_of(client.get("/login").text)
    for number in range(LIMIT_PER_ADDRESS):
        client.post("/login", data={"email": f"guess{number}@test.kr", "password": "x", "csrf_token": token})
    limited = client.post(
        "/login", data={"email": "applicant@test.kr", "password": PASSWORD, "csrf_token": token}
    )
    assert limited.status_code == 429 and "15분" in limited.text


def test_language_setting_is_saved_for_the_user(app, client, web_people):
    login(client, web_people.applicant)
    post_form(client, "/language", {"lang": "en", "next": "/"}, page_url="/")
    from sqlalchemy import select

    from workflow.models import User

    with app.extensions["workflow"].db.connect() as connection:
        assert (
            connection.execute(select(User.language).where(User.id == web_people.applicant.id)).scalar()
            == "en"
        )
