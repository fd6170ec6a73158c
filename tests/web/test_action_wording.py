"""Actions read as the rule file says: a destructive one (withdraw) looks destructive and asks the rule
file's own question; a reason box only where the rule file asks for one; results read as sentences."""

from __future__ import annotations

import re

from tests.factories import startup_data, submitted_startup
from tests.web.conftest import login, post_form
from workflow.services.files import FileStore


def _submitted(app, web_people, tmp_path) -> int:
    return submitted_startup(app.extensions["workflow"], web_people, FileStore(tmp_path / "store"))


def test_withdraw_is_a_danger_button_with_the_rule_files_question(app, client, web_people, tmp_path):
    app_id = _submitted(app, web_people, tmp_path)
    login(client, web_people.applicant)
    page = client.get(f"/applications/{app_id}").text
    withdraw = re.search(
        r'<button type="submit" class="button (\w+)" data-confirm="([^"]+)">신청 취소</button>', page
    )
    assert withdraw, "no withdraw button"
    assert withdraw.group(1) == "danger"
    assert withdraw.group(2) == "신청을 취소하면 다시 되돌릴 수 없습니다. 취소할까요?"
    assert 'id="reason-withdraw"' in page  # `reason: optional` shows the box
    assert "을(를)" not in page


def test_ordinary_actions_ask_plainly_and_only_rule_file_reasons_get_a_box(app, client, web_people, tmp_path):
    workflow = app.extensions["workflow"]
    data = startup_data(FileStore(tmp_path / "store"))
    app_id = workflow.create("startup-support", web_people.applicant, data).application_id
    login(client, web_people.applicant)
    form = client.get(f"/applications/{app_id}/form").text
    submit = re.search(
        r'class="button (\w+)" name="action" value="submit"\s+data-confirm="([^"]+)">제출</button>', form
    )
    assert submit and submit.group(1) == "primary" and submit.group(2) == "제출 — 이대로 진행할까요?"
    page = client.get(f"/applications/{app_id}").text
    assert 'id="reason-submit"' not in page  # no `reason:` in the rule file: no box
    assert 'id="reason-withdraw"' in page  # `reason: optional`


def test_a_done_action_reads_as_a_sentence(app, client, web_people, tmp_path):
    app_id = _submitted(app, web_people, tmp_path)
    login(client, web_people.officer)
    url = f"/officer/applications/{app_id}"
    row_version = re.search(r'name="row_version" value="(\d+)"', client.get(url).text).group(1)
    post_form(
        client,
        f"/applications/{app_id}/fire",
        {"trigger": "pass_screening", "row_version": row_version, "next": url},
        page_url=url,
    )
    page = client.get(url).text
    assert "서면 통과 완료: 신청서는 이제 ‘" in page and "처리했습니다" not in page
