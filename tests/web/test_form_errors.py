"""Submitting an incomplete form lists and marks every missing or invalid field, not only the first."""

from __future__ import annotations

import re

from tests.web.conftest import csrf_of, login, post_form
from tests.web.test_journeys import FORM_VALUES


def _summary(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return found.group(0) if found else ""


def _start(client) -> int:
    response = post_form(client, "/programs/startup-support/apply", {}, page_url="/programs/startup-support")
    return int(re.search(r"/applications/(\d+)/form", response.headers["Location"]).group(1))


def _submit(client, app_id: int, values: dict):
    page = client.get(f"/applications/{app_id}/form")
    version = re.search(r'name="row_version" value="(\d+)"', page.text).group(1)
    data = {**values, "csrf_token": csrf_of(page.text), "row_version": version, "action": "submit"}
    return client.post(f"/applications/{app_id}/form", data=data)


def test_every_invalid_and_missing_field_is_listed_and_marked(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    values = {k: v for k, v in FORM_VALUES.items() if k not in ("representative", "founded_on")}
    # the representative is prefilled from the account (prefill:); the applicant empties it
    values |= {"business_no": "12345", "contact_email": "not-an-email", "representative": ""}
    response = _submit(client, app_id, values)
    summary = _summary(response.text)
    for label in ("사업자등록번호", "담당자 이메일", "대표자", "설립일", "사업계획서(PDF)"):
        assert label in summary, label
    for name in ("business_no", "contact_email", "representative", "founded_on", "business_plan"):
        assert re.search(
            rf'id="{name}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{name}"', response.text
        ), name
    assert 'value="헬스온 주식회사"' in response.text  # the valid entries are kept
