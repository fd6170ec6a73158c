"""The frame every page shares: language, sign-in, CSRF, security headers, error pages."""

from __future__ import annotations

from tests.web.conftest import PASSWORD, csrf_of, login, post_form


def test_home_is_korean_by_default_with_skip_link(client):
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="ko">' in page.text
    assert "본문 바로가기" in page.text
    assert 'href="#main"' in page.text


def test_language_switch_per_session(client):
    response = post_form(client, "/language", {"lang": "en", "next": "/login"}, page_url="/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login")
    assert '<html lang="en">' in page.text and "Sign in" in page.text


def test_language_switch_refuses_foreign_redirects(client):
    response = post_form(client, "/language", {"lang": "en", "next": "https://evil.example/"}, page_url="/")
    assert response.headers["Location"] == "/"


def test_language_is_kept_per_user(client, web_people):
    login(client, web_people.applicant)
    post_form(client, "/language", {"lang": "en", "next": "/"}, page_url="/")
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    fresh = client.application.test_client()
    login(fresh, web_people.applicant)
    assert '<html lang="en">' in fresh.get("/").text


def test_security_headers_and_cookie_flags(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookie_is_secure(sqlite_engine, clock, tmp_path):
    from tests.web.conftest import make_app

    app = make_app(sqlite_engine, clock, tmp_path, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/login")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_missing_csrf_is_a_friendly_400(client):
    response = client.post("/login", data={"email": "a@b.kr", "password": "x"})
    assert response.status_code == 400
    assert "양식의 유효 시간이 지났거나" in response.text
    assert "Traceback" not in response.text


def test_unknown_page_is_translated_404(client):
    assert "페이지를 찾을 수 없습니다" in client.get("/no/such/page").text


def test_login_wrong_password_then_right(client, web_people):
    page = client.get("/login")
    wrong = client.post(
        "/login", data={"email": "applicant@test.kr", "password": "nope", "csrf_token": csrf_of(page.text)}
    )
    assert wrong.status_code == 200 and "올바르지 않습니다" in wrong.text
    right = client.post(
        "/login", data={"email": "applicant@test.kr", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    assert right.status_code == 302


def test_login_is_rate_limited_per_account(client, web_people):
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        client.post("/login", data={"email": "officer@test.kr", "password": "bad", "csrf_token": token})
    limited = client.post(
        "/login", data={"email": "officer@test.kr", "password": PASSWORD, "csrf_token": token}
    )
    assert limited.status_code == 429
    other = client.post(
        "/login", data={"email": "applicant@test.kr", "password": PASSWORD, "csrf_token": token}
    )
    assert other.status_code == 302


def test_error_pages_never_show_a_trace(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret detail")

    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert "secret detail" not in response.text and "시스템 오류" in response.text


def test_pages_need_no_inline_script_or_style(app, client, web_people, store):
    """The CSP forbids inline script and style attributes: no page may rely on them."""
    import re

    from tests.factories import submitted_startup

    app_id = submitted_startup(app.extensions["workflow"], web_people, store)
    pages = [
        (web_people.applicant, ["/", "/my", f"/applications/{app_id}", "/programs/startup-support"]),
        (
            web_people.officer,
            ["/officer/", "/officer/programs/startup-support", f"/officer/applications/{app_id}"],
        ),
        (web_people.admin, ["/admin/", "/admin/rules", f"/admin/users/{web_people.officer.id}"]),
    ]
    for person, urls in pages:
        browser = app.test_client()
        login(browser, person)
        for url in urls:
            html = browser.get(url).text
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
            assert not re.search(r"\sstyle=\"", html) and " on" + "click=" not in html, url


def test_fixed_addresses_are_remembered_per_mount_point_and_never_grow_without_end(app, monkeypatch):
    """workflow/web/urls.py: a fixed address is built once per mount point (the same as url_for gives), and
    the remembered ones are forgotten rather than grow past their limit."""
    from flask import url_for

    from workflow.web import urls

    monkeypatch.setattr(urls, "MAX_REMEMBERED", 3)
    with app.test_request_context("/"):
        assert urls.static_url("css/site.css") == url_for("static", filename="css/site.css")
    with app.test_request_context("/", base_url="http://localhost/grants/"):
        assert urls.fixed_url("pages.home") == url_for("pages.home") == "/grants/"
    for n in range(5):
        with app.test_request_context("/", base_url=f"http://localhost/m{n}/"):
            assert urls.fixed_url("pages.home") == f"/m{n}/"
    assert len(app.extensions["fixed_urls"]) <= 3
