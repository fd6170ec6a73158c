"""Sign-up and password reset by e-mail token (the e-mail goes through the notices mailer)."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser

import pytest
from sqlalchemy import func, select, update

from tests.web.conftest import PASSWORD, csrf_of, login, make_app, people_with_passwords, post_form
from workflow.models import Application, OutboxMessage, User
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
    # a forged Host header changes nothing: every link in a mail is built from BASE_URL
    page = client.get("/password/forgot", base_url="http://evil.example")
    client.post(
        "/password/forgot",
        data={"email": "applicant@test.kr", "csrf_token": csrf_of(page.text)},
        base_url="http://evil.example",
    )
    mails = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(mails) == 1
    message = BytesParser(policy=policy.default).parsebytes(mails[0].read_bytes())
    assert message["To"].addresses[0].addr_spec == "applicant@test.kr"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "evil.example" not in body
    link = re.search(r"http://127\.0\.0\.1:5000(/password/reset/\S+)", body).group(1)
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


def test_the_reset_mail_goes_through_the_outbox_and_smtp_down_is_no_error(sqlite_engine, clock, tmp_path):
    """No SMTP conversation inside the request: the row is written with the request's commit, and an
    unreachable server only leaves it waiting for the next attempt."""
    app = make_app(sqlite_engine, clock, tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=9, SMTP_TIMEOUT=1)
    people = people_with_passwords(app)
    client = app.test_client()
    response = post_form(client, "/password/forgot", {"email": "applicant@test.kr"})
    assert response.status_code == 302
    with app.extensions["workflow"].db.connect() as connection:
        rows = connection.execute(
            select(
                OutboxMessage.user_id,
                OutboxMessage.template,
                OutboxMessage.status,
                OutboxMessage.application_id,
            )
        ).all()
    assert rows == [(people.applicant.id, "password_reset", "pending", None)]
    assert not list((tmp_path / "mail").glob("*.eml"))


def test_sign_up_confirms_the_address_before_the_account_can_apply(app, client, tmp_path):
    made = post_form(
        client,
        "/signup",
        {
            "kind": "individual",
            "name": "한창업",
            "email": "new@healthon.kr",
            "password": STRONG,
            "confirm": STRONG,
        },
    )
    assert made.status_code == 302
    page = client.get("/login")
    client.post(
        "/login", data={"email": "new@healthon.kr", "password": STRONG, "csrf_token": csrf_of(page.text)}
    )
    refused = post_form(client, "/programs/startup-support/apply", {}, page_url="/programs/startup-support")
    assert refused.status_code == 302 and "/form" not in refused.headers["Location"]
    assert "이메일 주소를 확인해 주세요" in client.get("/programs/startup-support").text
    with app.extensions["workflow"].db.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Application)).scalar() == 0
    [mail] = sorted((tmp_path / "mail").glob("*.eml"))
    body = BytesParser(policy=policy.default).parsebytes(mail.read_bytes()).get_body(("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:5000(/account/verify/\S+)", body).group(1)
    assert client.get(link[:-3] + "xyz").status_code == 302  # a forged token confirms nothing
    assert (
        post_form(client, "/programs/startup-support/apply", {}, page_url="/programs/startup-support")
        .headers["Location"]
        .startswith("/programs/")
    )
    assert "이메일 주소가 확인되었습니다" in client.get(link, follow_redirects=True).text
    applied = post_form(client, "/programs/startup-support/apply", {}, page_url="/programs/startup-support")
    assert re.search(r"/applications/\d+/form", applied.headers["Location"])


def test_a_confirmation_link_for_an_old_address_confirms_nothing(app, client):
    workflow = app.extensions["workflow"]
    user_id = accounts.sign_up(workflow, "first@healthon.kr", "한창업", STRONG, None, "individual", "ko")
    with workflow.db.begin() as connection:
        token = accounts.verification_token(connection, "test", user_id)
        connection.execute(update(User).where(User.id == user_id).values(email="second@healthon.kr"))
    with pytest.raises(accounts.AccountError) as refused:
        accounts.verify_email(workflow, "test", token)
    assert refused.value.code == "verify_invalid"
