"""Request limits (413), the optimistic lock required, downloads never cached, CSV cells that cannot
run as formulas, ids bounded by the URL converter, and pages that survive a huge stored value."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select, update

from tests.factories import AGREEMENT, reviewed_startup, startup_data, stored_letter, submitted_startup
from tests.web.conftest import csrf_of, login, post_form
from tests.web.test_authorisation import snapshot
from tests.web.test_journeys import FORM_VALUES, _start, _version
from workflow.models import Application, User
from workflow.services import reviews
from workflow.services.exports import csv_document, safe_cell
from workflow.web.inputs import DatabaseId

MB = 1024 * 1024


def test_a_request_above_the_limit_is_a_friendly_413(app, client, web_people):
    assert app.config["MAX_CONTENT_LENGTH"] == 25 * MB  # Flask's own default is None (no limit)
    login(client, web_people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    data = {"csrf_token": csrf_of(page.text), "row_version": _version(page.text), "company_name": "큰 요청"}
    data["business_plan"] = (io.BytesIO(b"%PDF-1.4" + b"0" * (26 * MB)), "plan.pdf")
    response = client.post(f"/applications/{app_id}/form", data=data, content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()
    assert response.status_code == 413
    assert "보낸 내용이 너무 큽니다" in response.text and "25MB" in response.text
    assert "Traceback" not in response.text


def test_a_huge_text_field_is_a_413_and_the_limits_are_configurable(sqlite_engine, clock, tmp_path):
    from tests.web.conftest import make_app

    app = make_app(sqlite_engine, clock, tmp_path, MAX_FORM_MEMORY_SIZE=1000, MAX_CONTENT_LENGTH=2 * MB)
    client = app.test_client()
    token = csrf_of(client.get("/login").text)
    big = client.post("/login", data={"email": "x" * 5000, "password": "p", "csrf_token": token})
    assert big.status_code == 413 and "2MB" in big.text
    small = client.post("/login", data={"email": "x@y.kr", "password": "p", "csrf_token": token})
    assert small.status_code == 200


def test_autosave_is_told_in_json_when_the_request_is_too_large(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    data = {"csrf_token": csrf_of(page.text), "row_version": _version(page.text), "summary": "가" * MB}
    response = client.post(
        f"/applications/{app_id}/autosave", data=data, headers={"Accept": "application/json"}
    )
    assert response.status_code == 413 and response.json["ok"] is False
    assert "너무 큽니다" in response.json["message"]


# --- the optimistic lock is required -------------------------------------------------------------


def test_fire_and_decide_without_row_version_change_nothing(app, web_people, store):
    workflow = app.extensions["workflow"]
    engine = workflow.db
    draft = workflow.create("startup-support", web_people.applicant, {}).application_id
    applicant = app.test_client()
    login(applicant, web_people.applicant)
    token = csrf_of(applicant.get(f"/applications/{draft}").text)
    before = snapshot(engine)
    fired = applicant.post(f"/applications/{draft}/fire", data={"trigger": "withdraw", "csrf_token": token})
    assert fired.status_code == 302 and snapshot(engine) == before
    assert "버전" in applicant.get(fired.headers["Location"]).text

    selected = reviewed_startup(workflow, web_people, store)
    officer = app.test_client()
    login(officer, web_people.officer)
    token = csrf_of(officer.get(f"/officer/applications/{selected}").text)
    before = snapshot(engine)
    decided = officer.post(
        f"/applications/{selected}/decide",
        data={"decision": "selection", "outcome": "select", "csrf_token": token, "next": "/officer/"},
    )
    assert decided.status_code == 302 and snapshot(engine) == before
    # the same request with the version the page was opened on goes through
    with engine.connect() as connection:
        version = connection.execute(
            select(Application.row_version).where(Application.id == selected)
        ).scalar()
    again = officer.post(
        f"/applications/{selected}/decide",
        data={"decision": "selection", "outcome": "select", "csrf_token": token, "row_version": version},
    )
    assert again.status_code == 302 and snapshot(engine) != before


def test_autosave_and_the_form_without_row_version_change_nothing(app, client, web_people):
    login(client, web_people.applicant)
    app_id = _start(client)
    page = client.get(f"/applications/{app_id}/form")
    engine = app.extensions["workflow"].db
    before = snapshot(engine)
    data = {"csrf_token": csrf_of(page.text), "company_name": "버전 없음"}
    saved = client.post(f"/applications/{app_id}/autosave", data=data, headers={"Accept": "application/json"})
    assert saved.status_code == 400 and saved.json["ok"] is False and "버전" in saved.json["message"]
    posted = client.post(f"/applications/{app_id}/form", data=data)
    assert posted.status_code == 200 and "버전" in posted.text and 'value="버전 없음"' in posted.text
    assert snapshot(engine) == before


def test_every_form_that_changes_an_application_sends_row_version(app, web_people, store):
    workflow = app.extensions["workflow"]
    selected = reviewed_startup(workflow, web_people, store)
    officer = app.test_client()
    login(officer, web_people.officer)
    page = officer.get(f"/officer/applications/{selected}").text
    forms = page.split("<form")[1:]
    changing = [f for f in forms if "/fire" in f.split(">")[0] or "/decide" in f.split(">")[0]]
    assert changing and all('name="row_version"' in f for f in changing)


# --- downloads are never stored by a browser or proxy --------------------------------------------


def test_files_letters_and_csv_are_sent_no_store(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    with workflow.db.begin() as connection:
        data = connection.execute(select(Application.data).where(Application.id == app_id)).scalar_one()
        letter = stored_letter(connection, app_id, web_people.applicant.id, document_no="T-1")
    client = app.test_client()
    login(client, web_people.applicant)
    finance = app.test_client()
    login(finance, web_people.finance)
    for who, url in (
        (client, f"/applications/{app_id}/files/{data['business_plan']['id']}"),
        (client, f"/applications/{app_id}/letters/{letter}"),
        (finance, "/finance/programs/startup-support/ledger.csv"),
    ):
        response = who.get(url)
        response.close()
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url


# --- CSV cells never run as formulas ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")'])
def test_text_that_could_start_a_formula_is_written_as_text(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("헬스온") == "헬스온" and safe_cell(-5) == -5 and safe_cell(None) is None
    document = csv_document(["이름"], [[text, 12]])
    assert list(csv.reader(io.StringIO(document.lstrip("\ufeff"))))[1] == ["'" + text, "12"]


def test_the_ledger_csv_neutralises_a_hostile_name(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "select", web_people.officer).ok
    assert workflow.fire(app_id, "sign_agreement", web_people.applicant, data=AGREEMENT).ok
    hostile = '=HYPERLINK("http://evil.example","열기")'
    with workflow.db.begin() as connection:
        connection.execute(update(User).where(User.id == web_people.finance.id).values(name=hostile))
    assert workflow.fire(app_id, "pay_first_tranche", web_people.finance).ok
    client = app.test_client()
    login(client, web_people.finance)
    body = client.get("/finance/programs/startup-support/ledger.csv").text
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    names = [row[9] for row in rows[1:]]
    assert "'" + hostile in names and hostile not in names


# --- ids and stored values ---------------------------------------------------------------------------


def test_every_integer_in_a_route_is_a_bounded_database_id(app):
    converters = [
        (rule.rule, converter)
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if "int" in type(converter).__name__.lower() or isinstance(converter, DatabaseId)
    ]
    assert converters and all(isinstance(c, DatabaseId) for _rule, c in converters), converters


@pytest.mark.parametrize("path", ["/applications/{}", "/applications/{}/form", "/officer/applications/{}"])
def test_pages_survive_a_huge_value_stored_before_the_ceilings(app, web_people, store, path):
    workflow = app.extensions["workflow"]
    draft = workflow.create("startup-support", web_people.applicant, startup_data(store)).application_id
    with workflow.db.begin() as connection:  # 2^62 overflowed the submit guard's 64-bit arithmetic
        data = {**startup_data(store), "own_cash": 2**62}
        connection.execute(update(Application).where(Application.id == draft).values(data=data))
    client = app.test_client()
    login(client, web_people.officer if path.startswith("/officer") else web_people.applicant)
    response = client.get(path.format(draft))
    assert response.status_code == 200
    if path.endswith("/form"):
        saved = post_form(
            client,
            path.format(draft),
            {**FORM_VALUES, "row_version": _version(response.text), "action": "submit"},
        )
        assert saved.status_code == 302  # the typed value replaces the stored one, and submit goes through


# --- numbers typed in other scripts --------------------------------------------------------------


def test_a_score_in_arabic_indic_digits_is_refused_and_nothing_is_stored(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = submitted_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "pass_screening", web_people.officer).ok
    assert reviews.assign(workflow, app_id, web_people.reviewer1.id, web_people.officer).ok
    assert reviews.declare(workflow, app_id, web_people.reviewer1, "none").ok
    reviews.accept_pledge(workflow, web_people.reviewer1)
    client = app.test_client()
    login(client, web_people.reviewer1)
    before = snapshot(workflow.db)
    scores = {"score_innovation": "٢٠", "score_feasibility": "30", "score_regional_impact": "²"}
    response = post_form(client, f"/review/{app_id}", scores)
    assert response.status_code == 200 and "0부터 30까지" in response.text
    after = snapshot(workflow.db)
    assert len(after.pop("read_log")) == len(before.pop("read_log")) + 2  # the page was read twice
    assert after == before


@pytest.mark.parametrize("year", ["²", "２０２６", "٢٠٢٦"])
def test_a_dashboard_year_in_other_digits_is_a_clear_400(app, web_people, year):
    client = app.test_client()
    login(client, web_people.admin)
    response = client.get("/stats/", query_string={"year": year})
    assert response.status_code == 400 and "2000" in response.text
