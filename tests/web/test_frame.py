"""What every page's frame gives a reader: the agency's font and icon served from static/, the help desk
in the footer, a way to sign in from a 403, and money in the reader's language without wrapping."""

from __future__ import annotations

from tests.web.conftest import login, post_form
from workflow.vocabulary.messages import Message, krw_text


def test_font_and_favicon_are_served_from_static(client):
    page = client.get("/").text
    assert 'rel="icon" href="/static/favicon.svg"' in page
    with client.get("/static/css/site.css") as css:
        assert 'font-family: "Pretendard GOV"' in css.text
    for face in ("Regular", "Bold"):
        with client.get(f"/static/fonts/PretendardGOV-{face}.subset.woff2") as font:
            assert font.status_code == 200 and font.data[:4] == b"wOF2"
    with client.get("/static/fonts/PretendardGOV-OFL.txt") as licence:
        assert "SIL Open Font License" in licence.text


def test_footer_gives_the_help_desk_from_configuration(sqlite_engine, clock, tmp_path):
    from tests.web.conftest import make_app

    app = make_app(
        sqlite_engine, clock, tmp_path, SUPPORT_EMAIL="desk@gwic.example.kr", SUPPORT_PHONE="033-123-4567"
    )
    page = app.test_client().get("/").text
    assert 'href="mailto:desk@gwic.example.kr"' in page and 'href="tel:033-123-4567"' in page
    assert "문의" in page and "평일 09:00~18:00" in page


def test_forbidden_page_offers_another_sign_in(client, web_people):
    login(client, web_people.applicant)
    page = client.get("/admin/")
    assert page.status_code == 403
    assert "다른 계정으로 로그인" in page.text and "/login?next=/admin/" in page.text


def test_money_reads_in_the_readers_language_and_never_wraps(client, web_people):
    assert Message(
        "budget_exceeded", {"remaining": krw_text(3_000_000), "requested": krw_text(5_000_000)}
    ).en == ("Not enough budget: remaining budget KRW 3,000,000, requested KRW 5,000,000.")
    with client.application.test_request_context("/"):
        from flask import session

        from workflow.web.i18n import won

        assert won(1_200_000) == "1,200,000원"
        session["lang"] = "en"
        from flask import g

        g.pop("lang", None)
        assert won(45_000_000) == "KRW\u00a045,000,000"


def test_admin_pages_show_program_titles_and_language_names(client, web_people):
    login(client, web_people.admin)
    users = client.get("/admin/").text
    assert "디지털헬스케어 창업지원" in users and "· startup-support" not in users
    officer = client.get(f"/admin/users/{web_people.officer.id}").text
    assert "<dt>메일·화면 언어</dt><dd>한국어</dd>" in officer and ">ko<" not in officer
    post_form(client, "/language", {"lang": "en", "next": "/"}, page_url="/")
    english = client.get(f"/admin/users/{web_people.officer.id}").text
    assert "<dt>Language of e-mails and pages</dt><dd>Korean</dd>" in english
