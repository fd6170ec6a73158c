"""Amount fields: shown with separators, read back with them; the stage total and its shares on the form."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tests.web.conftest import login
from tests.web.test_form_errors import _start, _submit
from tests.web.test_journeys import FORM_VALUES
from workflow.definitions.schema import FieldSpec
from workflow.vocabulary.fields import FIELD_TYPES, FieldError, clean_value
from workflow.vocabulary.messages import format_krw

MONEY = FieldSpec(name="amount", type="money", label={"ko": "금액", "en": "Amount"})


@given(st.integers(0, 10**12))
def test_an_amount_shown_with_separators_reads_back_as_the_same_number(amount):
    shown = FIELD_TYPES["money"].display(amount)
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", shown)
    assert clean_value(MONEY, shown) == amount
    assert clean_value(MONEY, format_krw(amount, "ko")) == amount


@given(st.integers(0, 10**12), st.sampled_from(["٠١٢", "²", "１２", "໑", "12e3", "1.5", "--1", "1_000"]))
def test_other_digits_and_number_forms_are_refused_with_a_plain_message(amount, odd):
    typed = f"{amount:,}{odd}"
    try:
        clean_value(MONEY, typed)
    except FieldError as error:
        assert error.message.text("ko") == "금액(원)을 숫자로 입력하세요."
        assert error.message.text("en") == "Enter an amount in won (digits only)."
    else:
        raise AssertionError(f"{typed!r} was accepted")


def test_the_form_shows_amounts_grouped_and_the_total_with_its_shares(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    _submit(client, app_id, FORM_VALUES)  # saved (the missing file keeps it a draft)
    page = client.get(f"/applications/{app_id}/form")
    assert re.search(r'data-amount[^>]*value="45,000,000"|value="45,000,000"[^>]*data-amount', page.text)
    panel = re.search(r'<section class="totals".*?</section>', page.text, re.S).group(0)
    assert 'data-sum="requested_amount own_cash in_kind"' in panel
    assert "60,000,000원" in panel and "총사업비" in panel
    assert "75%" in panel and "16.7%" in panel  # 45/60 of the total, 10/60 of it
    assert panel.count(">기준 충족<") == 2 and ">기준 벗어남<" not in panel


def test_a_share_outside_its_limit_is_an_error_at_its_field_in_both_languages(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    values = FORM_VALUES | {"requested_amount": "90,000,000", "own_cash": "5,000,000", "in_kind": "5,000,000"}
    response = _submit(client, app_id, values)
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)
    assert "정부지원금 비율이 총사업비의 90%입니다. 75% 이하여야 합니다." in summary
    assert "기업부담 현금 비율이 총사업비의 5%입니다. 10% 이상이어야 합니다." in summary
    assert re.search(
        r'id="requested_amount"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="requested_amount"',
        response.text,
    )
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": _csrf(client)})
    english = _submit(client, app_id, values)
    assert "Government grant: 90% of Total project cost — at most 75% is allowed." in english.text


def _csrf(client) -> str:
    from tests.web.conftest import csrf_of

    return csrf_of(client.get("/").text)
