"""The account page: name, organisation, contact phone, language and password in one place, errors kept
at each field in both languages; and what sign-up and the account page hold prefills a new application
(the rule file's `prefill:`)."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.web.conftest import PASSWORD, csrf_of, login, post_form
from workflow.models import User

DETAILS = {"name": "한대표", "organisation": "헬스온 주식회사", "phone": "010-2222-3333", "language": "ko"}


def _user(app, user_id: int):
    with app.extensions["workflow"].db.connect() as connection:
        return connection.execute(select(User).where(User.id == user_id)).one()


def test_the_details_are_saved_and_shown_again(app, client, web_people):
    login(client, web_people.applicant)
    response = post_form(client, "/account", DETAILS)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    user = _user(app, web_people.applicant.id)
    assert (user.name, user.organisation, user.phone, user.language) == (
        "한대표",
        "헬스온 주식회사",
        "010-2222-3333",
        "ko",
    )
    page = client.get("/account")
    assert 'value="010-2222-3333"' in page.text and "계정 정보를 저장했습니다." in page.text
    assert 'href="/account"' in page.text  # the name in the header opens this page


def test_every_invalid_entry_is_marked_at_its_field_and_the_entries_are_kept(app, client, web_people):
    login(client, web_people.applicant)
    response = post_form(
        client, "/account", {"name": "", "organisation": "x" * 201, "phone": "12", "language": "ko"}
    )
    assert response.status_code == 200
    for name, text in (
        ("name", "이름을 입력하세요."),
        ("organisation", "너무 깁니다."),
        ("phone", "010-1234-5678처럼 전화번호를 입력하세요."),
    ):
        assert re.search(
            rf'id="{name}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{name}"', response.text
        )
        assert text in response.text, text
    assert 'value="12"' in response.text
    assert _user(app, web_people.applicant.id).phone is None  # nothing written


def test_choosing_english_switches_the_pages_and_is_kept(app, client, web_people):
    login(client, web_people.applicant)
    post_form(client, "/account", DETAILS | {"language": "en"})
    page = client.get("/account")
    assert "My account" in page.text and "Your account details were saved." in page.text
    assert _user(app, web_people.applicant.id).language == "en"
    refused = post_form(client, "/account", DETAILS | {"phone": "call me"})
    assert "Enter a phone number like 010-1234-5678." in refused.text


def test_the_password_form_is_on_the_account_page_and_keeps_its_errors(app, client, web_people):
    login(client, web_people.applicant)
    page = client.get("/account/password")
    assert 'action="/account/password"' in page.text and 'action="/account"' in page.text
    wrong = post_form(
        client, "/account/password", {"current": "nope", "password": "x", "confirm": "y"}, page_url="/account"
    )
    assert "현재 비밀번호가 맞지 않습니다." in wrong.text or "10자 이상" in wrong.text
    assert re.search(
        r'id="password"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="password"', wrong.text
    )
    new = "lantern-orbit-velvet-93"
    changed = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "password": new, "confirm": new},
        page_url="/account",
    )
    assert changed.status_code == 302 and changed.headers["Location"] == "/account"


def test_a_new_application_starts_with_the_account_details(app, client, web_people):
    login(client, web_people.applicant)
    post_form(client, "/account", DETAILS)
    response = post_form(client, "/programs/startup-support/apply", {}, page_url="/programs/startup-support")
    form = client.get(response.headers["Location"])
    for name, value in (
        ("company_name", "헬스온 주식회사"),
        ("representative", "한대표"),
        ("contact_phone", "010-2222-3333"),
        ("contact_email", _user(app, web_people.applicant.id).email),
    ):
        assert re.search(
            rf'id="{name}"[^>]*value="{re.escape(value)}"|value="{re.escape(value)}"[^>]*id="{name}"',
            form.text,
        ), name


def test_a_profile_value_the_field_refuses_is_left_for_the_applicant(app, client, web_people):
    from workflow.vocabulary.profile import prefilled

    program = app.extensions["workflow"].registry.latest("startup-support").spec
    values = prefilled(program, {"organisation": "x" * 300, "phone": "+82 (33) 1234", "name": "한대표"})
    assert values == {"representative": "한대표"}


def test_the_language_switch_still_works_beside_the_account_language(client, web_people):
    login(client, web_people.applicant)
    client.post(
        "/language", data={"lang": "en", "next": "/account", "csrf_token": csrf_of(client.get("/").text)}
    )
    assert "My account" in client.get("/account").text
