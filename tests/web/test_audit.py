"""The auditor's pages and exports, and the read log of staff views (issue 14)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from tests.audit.helpers import drop_protection
from tests.factories import stored_letter, submitted_startup
from tests.web.conftest import csrf_of, login
from workflow.audit.csvfiles import parse_events_csv
from workflow.engine.history import event_hash
from workflow.models import Application, HistoryEvent, ReadLogEntry
from workflow.services import reviews


@pytest.fixture
def case(app, web_people, store):
    """An application in review with a reviewer who declared, and a letter; the auditor signed in."""
    workflow = app.extensions["workflow"]
    people = web_people
    app_id = submitted_startup(workflow, people, store)
    assert workflow.fire(app_id, "pass_screening", people.officer).ok
    assert reviews.assign(workflow, app_id, people.reviewer1.id, people.officer).ok
    assert reviews.declare(workflow, app_id, people.reviewer1, "none").ok
    reviews.accept_pledge(workflow, people.reviewer1)
    assert reviews.assign(workflow, app_id, people.reviewer2.id, people.officer).ok
    assert reviews.declare(workflow, app_id, people.reviewer2, "exclusion", '=HYPERLINK("x")').ok
    with workflow.db.begin() as connection:
        letter = stored_letter(connection, app_id, people.applicant.id)
        data = connection.execute(select(Application.data).where(Application.id == app_id)).scalar_one()
    return {"a": app_id, "letter": letter, "file": data["business_plan"]["id"], "workflow": workflow}


def reads(app) -> list:
    with app.extensions["workflow"].db.connect() as connection:
        return connection.execute(select(ReadLogEntry).order_by(ReadLogEntry.id)).mappings().all()


SENSITIVE = [
    ("officer", "/officer/applications/{a}", "form"),
    ("officer", "/applications/{a}", "status"),
    ("officer", "/applications/{a}/files/{file}", "file"),
    ("officer", "/applications/{a}/letters/{letter}", "letter"),
    ("auditor", "/auditor/applications/{a}", "form"),
    ("auditor", "/auditor/applications/{a}/history.csv", "export"),
    ("reviewer1", "/review/{a}", "review"),
    ("applicant", "/applications/{a}/files/{file}", "file"),
]


@pytest.mark.parametrize("who, url, kind", SENSITIVE)
def test_every_sensitive_view_writes_exactly_one_read_log_row(app, web_people, case, who, url, kind):
    client = app.test_client()
    actor = getattr(web_people, who)
    login(client, actor)
    before = len(reads(app))
    response = client.get(url.format(**case), environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 200
    response.close()
    rows = reads(app)[before:]
    assert len(rows) == 1
    assert (rows[0]["user_id"], rows[0]["kind"], rows[0]["application_id"], rows[0]["address"]) == (
        actor.id,
        kind,
        case["a"],
        "203.0.113.7",
    )


def test_an_applicant_reading_their_own_status_is_not_a_staff_read(app, web_people, case):
    client = app.test_client()
    login(client, web_people.applicant)
    assert client.get(f"/applications/{case['a']}").status_code == 200
    assert reads(app) == []


def test_the_read_log_is_append_only_and_listed_for_auditors(app, web_people, case):
    officer = app.test_client()
    login(officer, web_people.officer)
    officer.get(f"/officer/applications/{case['a']}")
    engine = app.extensions["workflow"].db
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(update(ReadLogEntry).values(address="x"))
    auditor = app.test_client()
    login(auditor, web_people.auditor)
    page = auditor.get("/auditor/reads?kind=form&user=officer")
    assert page.status_code == 200 and "officer" in page.text and "신청서 내용" in page.text
    assert "Nothing recorded yet." not in page.text
    assert "아직 기록이 없습니다." in auditor.get("/auditor/reads?kind=bank").text
    csv_text = auditor.get("/auditor/reads.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffid,at,user_id") and ",form," in csv_text


def test_timeline_shows_labels_not_keys_and_the_chain_verified(app, web_people, case):
    client = app.test_client()
    login(client, web_people.auditor)
    page = client.get(f"/auditor/applications/{case['a']}").text
    assert 'id="chain-status"' in page and "검증 완료" in page
    assert "심사위원 배정" in page and "이해충돌: 제척" in page
    for raw in (
        "exclusion",
        "finance/officer/system",
        "startup-support 2026.3",
        "pass_screening",
        "digital_therapeutics",  # a choice's value: its label is shown
    ):
        assert raw not in page, raw
    assert "변경 전" in page and "헬스온 주식회사" in page  # the creation's data change, before → after
    assert "/auditor/rules/" in page


def test_timeline_names_a_row_changed_outside_the_engine(app, web_people, case):
    engine = app.extensions["workflow"].db
    with engine.begin() as connection:
        drop_protection(connection)
        connection.execute(update(Application).where(Application.id == case["a"]).values(state="selected"))
    client = app.test_client()
    login(client, web_people.auditor)
    page = client.get(f"/auditor/applications/{case['a']}").text
    assert "문제 발견:" in page and "엔진 밖에서 신청서가 변경됨(단계)" in page


def test_history_csv_parses_back_to_the_same_events(app, web_people, case):
    client = app.test_client()
    login(client, web_people.auditor)
    response = client.get(f"/auditor/applications/{case['a']}/history.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    text_body = response.get_data(as_text=True)
    assert "'=HYPERLINK" in text_body, "a formula in a reason is neutralised"
    parsed = parse_events_csv(text_body)
    with app.extensions["workflow"].db.connect() as connection:
        stored = [
            dict(r)
            for r in connection.execute(
                select(HistoryEvent)
                .where(HistoryEvent.application_id == case["a"])
                .order_by(HistoryEvent.seq)
            ).mappings()
        ]
    assert len(parsed) == len(stored) > 5
    for back, event in zip(parsed, stored, strict=True):
        assert event_hash(back) == event["hash"] == back["hash"]
        assert {k: back[k] for k in back} == {k: event[k] for k in back}


def test_search_by_actor_program_and_trigger_with_csv(app, web_people, case):
    client = app.test_client()
    login(client, web_people.auditor)
    page = client.get("/auditor/search?program=startup-support&trigger=pass_screening&actor=officer").text
    assert "기록 1건" in page
    assert f"#{case['a']}" in page
    csv_text = client.get("/auditor/search.csv?program=startup-support&trigger=pass_screening").get_data(
        as_text=True
    )
    assert len(parse_events_csv(csv_text)) == 1
    assert client.get("/auditor/search?from=not-a-date").status_code == 400
    activity = client.get("/auditor/programs/startup-support/activity")
    assert activity.status_code == 200 and "처리 기록" in activity.text


def test_rule_file_as_it_was(app, web_people, case):
    program = case["workflow"].registry.latest("startup-support")
    client = app.test_client()
    login(client, web_people.auditor)
    page = client.get(f"/auditor/rules/{program.sha256}")
    assert page.status_code == 200 and "상태도" in page.text and "states:" in page.text
    assert client.get("/auditor/rules/" + "0" * 64).status_code == 404


def test_program_wide_verification_runs_and_shows_its_result(app, web_people, case):
    app.config["AUDIT_RUNS_INLINE"] = True
    client = app.test_client()
    login(client, web_people.auditor)
    token = csrf_of(client.get("/auditor/").text)
    started = client.post("/auditor/verify", data={"program": "startup-support", "csrf_token": token})
    assert started.status_code == 302
    page = client.get(started.headers["Location"]).text
    assert "이상 없음" in page and "<progress" in page
    engine = app.extensions["workflow"].db
    with engine.begin() as connection:
        drop_protection(connection)
        connection.execute(update(HistoryEvent).where(HistoryEvent.seq == 2).values(reason="forged"))
    again = client.post("/auditor/verify", data={"program": "", "csrf_token": token})
    page = client.get(again.headers["Location"]).text
    assert "문제 발견" in page and f"신청서 {case['a']}, 기록 2: 내용 변조" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
@pytest.mark.parametrize(
    "lang, expected",
    [
        ("ko", ["감사 보고서", "처리 이력", "심사위원 배정"]),
        ("en", ["Audit report", "Timeline", "reviewer assigned"]),
    ],
)
def test_audit_report_pdf_in_both_languages(app, web_people, case, tmp_path, lang, expected):
    client = app.test_client()
    login(client, web_people.auditor)
    response = client.get(f"/auditor/applications/{case['a']}/report.pdf?lang={lang}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    extracted = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in expected:
        assert words in extracted
    assert "NanumSquare" in subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
