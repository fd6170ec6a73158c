"""The status page shows staff who has approved a sign-off and what is still needed; the button counts the
approvals so far, and an approval that does not yet move the application says so
(tests/fixtures/capabilities/sign-off.yaml)."""

from __future__ import annotations

import re
import shutil

from tests.engine.capabilities import CAPABILITIES, staff
from tests.web.conftest import login, make_app, people_with_passwords, post_form


def test_the_page_shows_the_approvals_and_what_is_still_needed(sqlite_engine, clock, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(CAPABILITIES / "sign-off.yaml", rules / "sign-off.yaml")
    app = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))
    workflow = app.extensions["workflow"]
    first = staff(sqlite_engine, "committee", "sign-off", "위원 김")
    second = staff(sqlite_engine, "committee", "sign-off", "위원 이")
    applicant = people_with_passwords(app).applicant
    app_id = workflow.create("sign-off", applicant, {"title": "센서", "amount": 10_000_000}).application_id
    assert workflow.fire(app_id, "submit", applicant).ok

    client = app.test_client()
    login(client, first)
    url = f"/applications/{app_id}"
    page = client.get(url).text
    assert "선정 승인 (0/2명 승인)" in page
    assert "“선정 승인” 결재: 2명 중 0명 승인" in page and "선정위원회 2명" in page
    version = re.search(r'name="row_version" value="(\d+)"', page)[1]
    response = post_form(
        client, f"{url}/fire", {"trigger": "select", "row_version": version, "next": url}, page_url=url
    )
    assert response.status_code == 302
    page = client.get(url).text
    assert "승인이 기록되었습니다" in page
    assert "2명 중 1명 승인" in page and "위원 김" in page and "선정위원회 1명" in page
    assert "이미" in page  # the same person's button is disabled: already approved
    assert "선정 승인, 2명 중 1번째" in page  # the timeline names the approval

    other = app.test_client()
    login(other, second)
    page = other.get(url).text
    assert "선정 승인 (1/2명 승인)" in page
    post_form(other, "/language", {"lang": "en", "next": url}, page_url=url)
    page = other.get(url).text
    assert "Approve selection (1 of 2 so far)" in page
    assert "Approvals for “Approve selection”: 1 of 2" in page and "1 more from Selection committee" in page
    assert "the same person counts once" in page
