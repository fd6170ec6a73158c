"""Sessions end on sign-out (a copied cookie is refused), password change and reset, deactivation, after
the absolute lifetime and after the idle timeout; passwords are checked for strength."""

from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORD, csrf_of, login, post_form
from workflow.services import accounts

PRIVATE = "/my"  # any page for signed-in users only


def _signed_in(client) -> bool:
    return client.get(PRIVATE).status_code == 200


def _copy(app, client):
    """A second browser holding the same session cookie (a stolen or replayed cookie)."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    other.set_cookie(cookie.key, cookie.value)
    return other


def test_a_cookie_kept_from_before_sign_out_is_refused(app, client, web_people):
    login(client, web_people.applicant)
    replay = _copy(app, client)
    assert _signed_in(replay)
    post_form(client, "/logout", {}, page_url="/")
    assert not _signed_in(client)
    assert not _signed_in(replay)


def test_sign_out_ends_the_other_devices_too(app, web_people):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, web_people.applicant)
    login(phone, web_people.applicant)
    post_form(laptop, "/logout", {}, page_url="/")
    assert not _signed_in(phone)
    login(phone, web_people.applicant)  # signing in again works
    assert _signed_in(phone)


def test_deactivation_ends_the_users_sessions_at_once(app, web_people):
    user, admin = app.test_client(), app.test_client()
    login(user, web_people.applicant)
    login(admin, web_people.admin)
    url = f"/admin/users/{web_people.applicant.id}/active"
    assert (
        post_form(admin, url, {"active": "0"}, page_url=f"/admin/users/{web_people.applicant.id}").status_code
        == 302
    )
    assert not _signed_in(user)
    post_form(admin, url, {"active": "1"}, page_url=f"/admin/users/{web_people.applicant.id}")
    assert not _signed_in(user)  # reactivation does not bring the old session back


def test_password_change_asks_for_the_current_one_and_ends_other_sessions(app, client, web_people):
    login(client, web_people.applicant)
    elsewhere = _copy(app, client)
    wrong = post_form(
        client,
        "/account/password",
        {
            "current": "not-my-password",
            "password": "lantern-orbit-velvet-93",
            "confirm": "lantern-orbit-velvet-93",
        },
    )
    assert wrong.status_code == 200 and "현재 비밀번호가 맞지 않습니다" in wrong.text
    weak = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "password": "password1234", "confirm": "password1234"},
    )
    assert "추측하기 쉬운 비밀번호" in weak.text
    changed = post_form(
        client,
        "/account/password",
        {"current": PASSWORD, "password": "lantern-orbit-velvet-93", "confirm": "lantern-orbit-velvet-93"},
    )
    assert changed.status_code == 302
    assert _signed_in(client)  # the browser that changed it stays signed in
    assert not _signed_in(elsewhere)
    page = client.get("/login")
    old = client.post(
        "/login", data={"email": "applicant@test.kr", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    assert old.status_code == 200


def test_password_reset_ends_every_session(app, client, web_people):
    login(client, web_people.applicant)
    db = app.extensions["workflow"].db
    _user, token = accounts.reset_token(db, "test", "applicant@test.kr")
    accounts.reset_password(db, "test", token, "lantern-orbit-velvet-93")
    assert not _signed_in(client)


def test_sessions_end_after_the_idle_timeout(app, client, web_people, clock):
    login(client, web_people.applicant)
    clock.advance(seconds=app.config["SESSION_IDLE_TIMEOUT"] - 120)
    assert _signed_in(client)  # a request keeps the session alive
    clock.advance(seconds=app.config["SESSION_IDLE_TIMEOUT"] - 120)
    assert _signed_in(client)
    clock.advance(seconds=app.config["SESSION_IDLE_TIMEOUT"] + 1)
    assert not _signed_in(client)


def test_sessions_end_after_the_absolute_lifetime_however_busy(app, client, web_people, clock):
    assert app.config["SESSION_LIFETIME"] <= 12 * 3600
    login(client, web_people.applicant)
    step = app.config["SESSION_IDLE_TIMEOUT"] // 2
    for _ in range(app.config["SESSION_LIFETIME"] // step - 1):
        clock.advance(seconds=step)
        assert _signed_in(client)
    clock.advance(seconds=step)
    assert not _signed_in(client)
    cookie = client.get_cookie("session")
    assert cookie is None or cookie.expires is None or cookie.max_age is None or cookie.max_age <= 12 * 3600


def test_the_session_cookie_expires_with_the_lifetime(app, client, web_people):
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": "applicant@test.kr", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    header = response.headers["Set-Cookie"]
    assert "Expires=" in header  # not a 31-day or an endless cookie: PERMANENT_SESSION_LIFETIME
    assert app.permanent_session_lifetime.total_seconds() == app.config["SESSION_LIFETIME"]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1!", "password_short"),
        ("password1234", "password_weak"),
        ("qwertyuiop12", "password_weak"),
        ("applicant2026", "password_weak"),  # the user's own name or address
    ],
)
def test_guessable_passwords_are_refused(password, code):
    with pytest.raises(accounts.AccountError) as refused:
        accounts.check_strength(password, "applicant@test.kr", "applicant")
    assert refused.value.code == code


def test_a_strong_password_and_the_demo_password_pass():
    accounts.check_strength("lantern-orbit-velvet-93", "applicant@test.kr", "applicant")
    accounts.check_strength("demo-2026!", "applicant@demo.kr", "한신청")  # make run's demo password
