"""Money in the reader's language on every page that shows an award: "KRW 45,000,000" in English,
"45,000,000원" in Korean — the award figure of the finance pages and of the applicant's schedule (which
the service used to format in Korean once for everyone), the statistics tables (page and `flask stats
--lang`), and the auditor's PDF report in the language asked for, not the page's."""

from __future__ import annotations

import pytest

from tests.notices.helpers import pdf_text
from tests.web.conftest import login, post_form
from workflow.money import describe_award

KO, EN = "45,000,000원", "KRW\u00a045,000,000"  # a no-break space: never wrapped mid-amount


def _reader(app, who, lang: str):
    client = app.test_client()
    login(client, who)
    post_form(client, "/language", {"lang": lang, "next": "/"}, page_url="/")
    return client


@pytest.mark.parametrize(("lang", "shown", "other"), [("en", EN, KO), ("ko", KO, EN)])
def test_the_award_reads_in_the_readers_language_on_finance_and_applicant_pages(
    app, web_people, paid, lang, shown, other
):
    finance = _reader(app, web_people.finance, lang)
    award = finance.get(f"/finance/awards/{paid}").text
    caption = "Tranche schedule · Award" if lang == "en" else "분할 지급 일정 · 지원금"
    assert f"{caption} {shown}</caption>" in award  # the schedule's heading
    assert f"<dd>{shown}</dd>" in award  # the award among the facts
    assert other not in award
    program = finance.get("/finance/programs/startup-support").text
    assert f'<td class="num">{shown}</td>' in program and other not in program
    status = _reader(app, web_people.applicant, lang).get(f"/applications/{paid}").text
    assert f"{caption} {shown}</caption>" in status and other not in status


def test_statistics_write_amounts_in_the_readers_language(app, web_people, paid):
    english = _reader(app, web_people.admin, "en").get("/stats/").text
    korean = _reader(app, web_people.admin, "ko").get("/stats/").text
    assert "KRW 45,000,000" in english and KO not in english
    assert KO in korean and "KRW 45,000,000" not in korean
    runner = app.test_cli_runner()
    printed = runner.invoke(args=["stats", "--program", "startup-support", "--lang", "en"]).output
    assert "KRW 45,000,000" in printed and KO not in printed
    printed = runner.invoke(args=["stats", "--program", "startup-support"]).output
    assert KO in printed and "KRW" not in printed


def test_the_audit_report_writes_amounts_in_its_own_language(app, web_people, paid, tmp_path):
    auditor = _reader(app, web_people.auditor, "ko")  # the page in Korean, the report asked in English
    for lang, shown, other in (("en", "KRW 22,500,000", "22,500,000원"), ("ko", "22,500,000원", "KRW")):
        report = auditor.get(f"/auditor/applications/{paid}/report.pdf?lang={lang}")
        assert report.status_code == 200
        path = tmp_path / f"report-{lang}.pdf"
        path.write_bytes(report.data)
        text = pdf_text(path).replace("\u00a0", " ")
        assert shown in text and other not in text


def test_an_amount_typed_with_the_english_unit_is_read(app, web_people, paid):
    workflow = app.extensions["workflow"]
    assert workflow.fire(paid, "terminate", web_people.officer, reason="협약 위반").ok
    finance = _reader(app, web_people.finance, "en")
    url = f"/finance/awards/{paid}"
    post_form(finance, f"{url}/recover", {"amount": "KRW 2,500,000"}, page_url=url)
    page = finance.get(url).text
    assert "<dt>Recovered</dt><dd>KRW\u00a02,500,000</dd>" in page  # the English unit, as labelled


def test_a_foreign_currency_award_books_its_won_in_the_readers_language():
    award = {"amount": 1_385_200, "fx_currency": "USD", "fx_amount_cents": 100_000}
    assert describe_award(award, "en") == "USD 1,000.00 (KRW 1,385,200)"
    assert describe_award(award, "ko") == "USD 1,000.00 (1,385,200원)"
    assert describe_award({"amount": 45_000_000}, "en") == "KRW 45,000,000"
