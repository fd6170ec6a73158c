"""Nothing typed is lost: an entry a field refuses is kept as typed (marked, shown after a reload) while
the valid ones are saved; an emptied field is cleared, not silently kept; files are stored the moment they
are chosen, listed and removable, with their size and content checked and only for the owner."""

from __future__ import annotations

import io
import re

from tests.factories import PDF
from tests.web.conftest import csrf_of, login
from tests.web.test_form_errors import _start


def _page(client, app_id: int):
    page = client.get(f"/applications/{app_id}/form")
    version = re.search(r'name="row_version" value="(\d+)"', page.text).group(1)
    return page, {"csrf_token": csrf_of(page.text), "row_version": version}


def _autosave(client, app_id: int, values: dict):
    _, hidden = _page(client, app_id)
    return client.post(f"/applications/{app_id}/autosave", data={**values, **hidden})


def _data(app, app_id: int) -> dict:
    from workflow.engine import records

    with app.extensions["workflow"].db.connect() as connection:
        return records.read_application(connection, app_id).data or {}


def _marked(html: str, name: str) -> bool:
    return bool(re.search(rf'id="{name}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{name}"', html))


def test_a_refused_entry_is_kept_as_typed_and_shown_marked_after_a_reload(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    saved = _autosave(client, app_id, {"company_name": "헬스온", "business_no": "12345", "own_cash": "١٢"})
    body = saved.get_json()
    assert saved.status_code == 200 and body["ok"] and set(body["errors"]) == {"business_no", "own_cash"}
    assert "빨간색" in body["message"]  # says the marked entries were kept
    assert _data(app, app_id).get("company_name") == "헬스온" and "business_no" not in _data(app, app_id)

    page, _ = _page(client, app_id)  # a reload
    assert 'value="12345"' in page.text and 'value="١٢"' in page.text
    assert _marked(page.text, "business_no") and _marked(page.text, "own_cash")
    assert page.text.count('class="kept-note"') == 2
    assert "금액(원)을 숫자로 입력하세요." in page.text


def test_a_corrected_entry_is_saved_and_no_longer_kept(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    _autosave(client, app_id, {"business_no": "12345"})
    assert _autosave(client, app_id, {"business_no": "123-45-67890"}).get_json()["errors"] == {}
    page, _ = _page(client, app_id)
    assert _data(app, app_id)["business_no"] == "123-45-67890"
    assert 'class="kept-note"' not in page.text and not _marked(page.text, "business_no")


def test_the_save_button_keeps_refused_entries_too(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    _, hidden = _page(client, app_id)
    client.post(f"/applications/{app_id}/form", data={"contact_email": "not-an-email", **hidden})
    page, _ = _page(client, app_id)
    assert 'value="not-an-email"' in page.text and _marked(page.text, "contact_email")


def test_an_emptied_field_is_cleared_not_silently_kept(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    _autosave(
        client, app_id, {"company_name": "헬스온", "summary": "스무 글자가 넘는 사업 개요를 적어 둡니다."}
    )
    _autosave(client, app_id, {"company_name": "", "summary": "스무 글자가 넘는 사업 개요를 적어 둡니다."})
    assert "company_name" not in _data(app, app_id)
    assert 'id="company_name" value="헬스온"' not in _page(client, app_id)[0].text


def _upload(client, app_id: int, field: str, content: bytes, name: str = "plan.pdf"):
    _, hidden = _page(client, app_id)
    return client.post(
        f"/applications/{app_id}/uploads/{field}",
        data={**hidden, field: (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_a_chosen_file_is_stored_at_once_listed_and_removable(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    stored = _upload(client, app_id, "business_plan", PDF)
    body = stored.get_json()
    assert stored.status_code == 200 and body["ok"] and body["file"]["name"] == "plan.pdf"
    assert _data(app, app_id)["business_plan"]["name"] == "plan.pdf"
    page, hidden = _page(client, app_id)
    assert "plan.pdf" in page.text and 'name="remove_file" value="business_plan"' in page.text
    assert client.get(body["file"]["url"]).data == PDF

    removed = client.post(f"/applications/{app_id}/form", data={**hidden, "remove_file": "business_plan"})
    assert removed.status_code == 302 and "business_plan" not in _data(app, app_id)


def test_an_upload_is_checked_for_content_size_field_and_owner(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    fake = _upload(client, app_id, "business_plan", b"MZ not a pdf")
    assert fake.status_code == 400 and "PDF" in fake.get_json()["message"].upper()
    # the size limit is files.save()'s (tests/ops/test_files.py); the browser checks it before sending
    assert _upload(client, app_id, "company_name", PDF).status_code == 404  # not a file field
    assert "business_plan" not in _data(app, app_id)

    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    login(client, web_people.other)
    stranger = client.post(
        f"/applications/{app_id}/uploads/business_plan",
        data={
            "csrf_token": csrf_of(client.get("/").text),
            "row_version": "1",
            "business_plan": (io.BytesIO(PDF), "x.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert stranger.status_code == 404


def test_a_refused_submit_marks_missing_fields_without_calling_them_kept(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    _, hidden = _page(client, app_id)
    response = client.post(
        f"/applications/{app_id}/form", data={"business_no": "12345", "action": "submit", **hidden}
    )
    assert _marked(response.text, "business_no") and _marked(response.text, "company_name")
    assert response.text.count('class="kept-note"') == 1 and 'id="business_no-kept"' in response.text
