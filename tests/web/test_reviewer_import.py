"""Importing reviewers from real CSV and XLSX files: a preview with each row's problems, nothing created
until confirmed, all rows or none, each created account invited; size and row limits; hostile cells."""

from __future__ import annotations

import io
import re
import shutil

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.conftest import RULES_DIR
from tests.web.conftest import csrf_of, login, make_app
from workflow.models import OutboxMessage, User, UserRole
from workflow.services import reviewer_import, spreadsheet_rows

HEADER = ["name", "email", "organisation", "programs", "language"]
PAYLOAD = re.compile(r'name="payload" type="hidden" value="([^"]+)"')


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    lines = [",".join(f'"{cell}"' for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, name: str, data: bytes):
    page = client.get("/admin/users/import")
    response = client.post(
        "/admin/users/import",
        data={"file": (io.BytesIO(data), name), "csrf_token": csrf_of(page.text)},
        content_type="multipart/form-data",
    )
    response.request.environ["wsgi.input"].close()  # the test client spools a large body to a file
    return response


def _confirm(client, preview):
    payload = PAYLOAD.search(preview.text).group(1)
    return client.post(
        "/admin/users/import/confirm", data={"payload": payload, "csrf_token": csrf_of(preview.text)}
    )


def _counts(app) -> tuple[int, int, int]:
    with app.extensions["workflow"].db.connect() as connection:
        return (
            connection.execute(select(func.count()).select_from(User)).scalar_one(),
            connection.execute(select(func.count()).select_from(UserRole)).scalar_one(),
            connection.execute(select(func.count()).select_from(OutboxMessage)).scalar_one(),
        )


def _rules(tmp_path, *copies: tuple[str, str]):
    """A rules folder of startup-support and regulation-exception (the rows name them by title and key, so
    a program added to rules/ does not change this file's cases), plus `copies` of startup-support as
    (key, title) pairs."""
    rules = tmp_path / "rules"
    rules.mkdir()
    for key in ("startup-support", "regulation-exception"):
        shutil.copy(RULES_DIR / f"{key}.yaml", rules)
    text = (RULES_DIR / "startup-support.yaml").read_text(encoding="utf-8")
    for key, title in copies:
        copied = text.replace("key: startup-support", f"key: {key}", 1)
        (rules / f"{key}.yaml").write_text(
            copied.replace("title: {ko: 디지털헬스케어 창업지원", f"title: {{ko: {title}", 1),
            encoding="utf-8",
        )
    return rules


@pytest.fixture
def app(sqlite_engine, clock, tmp_path):
    return make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(_rules(tmp_path)))


@pytest.fixture
def admin(app, web_people):
    client = app.test_client()
    login(client, web_people.admin)
    return client


@pytest.mark.parametrize("kind", ["csv", "xlsx", "csv-cp949"])
def test_a_clean_file_is_previewed_then_all_invited(app, admin, tmp_path, kind):
    rows = [
        ["이름", "이메일", "소속", "사업", "언어"],
        ["김평가", "Kim@Univ.ac.kr", "강원대학교", "디지털헬스케어 창업지원", "ko"],
        ["Lee Review", "lee@example.com", "", "regulation-exception; startup-support", "en"],
        ["박심사", "park@example.com", "한림대학교", "", ""],
    ]
    data = (
        xlsx_bytes(rows)
        if kind == "xlsx"
        else csv_bytes(rows, "cp949" if kind == "csv-cp949" else "utf-8-sig")
    )
    before = _counts(app)
    preview = _upload(admin, f"reviewers.{kind.split('-')[0]}", data)
    assert preview.status_code == 200
    assert "3명" in preview.text and "김평가" in preview.text
    assert _counts(app) == before  # nothing until confirmed
    done = _confirm(admin, preview)
    assert done.status_code == 302
    with app.extensions["workflow"].db.connect() as connection:
        users = {
            r.email: r
            for r in connection.execute(
                select(User.id, User.email, User.active, User.invited_at, User.language).where(
                    User.email.in_(["kim@univ.ac.kr", "lee@example.com", "park@example.com"])
                )
            )
        }
        roles = set(
            connection.execute(
                select(User.email, UserRole.role, UserRole.program_key).join(
                    UserRole, UserRole.user_id == User.id
                )
            ).all()
        )
    assert set(users) == {"kim@univ.ac.kr", "lee@example.com", "park@example.com"}
    assert all(not u.active and u.invited_at is not None for u in users.values())
    assert users["lee@example.com"].language == "en"
    assert ("kim@univ.ac.kr", "reviewer", "startup-support") in roles
    assert ("lee@example.com", "reviewer", "regulation-exception") in roles
    assert ("park@example.com", "reviewer", None) in roles
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 3  # each one invited
    assert _counts(app)[2] == before[2] + 3


def test_row_problems_are_listed_and_nothing_can_be_confirmed(app, admin, web_people):
    rows = [
        HEADER,
        ["좋은 행", "good@example.com", "", "", ""],
        ["나쁜 주소", "not-an-address", "", "", ""],
        ["중복", "good@example.com", "", "", ""],
        ["없는 사업", "x@example.com", "", "no-such-program", ""],
        ['=HYPERLINK("http://evil")', "formula@example.com", "", "", ""],
        ["기존 계정", "applicant@test.kr", "", "", ""],
        ["언어", "lang@example.com", "", "", "fr"],
    ]
    before = _counts(app)
    preview = _upload(admin, "reviewers.csv", csv_bytes([[c.replace('"', '""') for c in r] for r in rows]))
    assert preview.status_code == 200
    text = preview.text
    assert "6개 행에 문제가 있어" in text
    for message in (
        "올바른 이메일 주소가 아닙니다",
        "앞 행에 같은 이메일",
        "알 수 없는 사업",
        "수식처럼",
        "이미 있습니다",
        "알 수 없는 언어",
    ):
        assert message in text, message
    assert 'name="payload"' not in text
    assert _counts(app) == before


def test_a_forged_or_stale_confirmation_creates_nothing(app, admin, web_people):
    preview = _upload(
        admin,
        "r.csv",
        csv_bytes([HEADER, ["김", "new1@example.com", "", "", ""], ["이", "new2@example.com", "", "", ""]]),
    )
    payload = PAYLOAD.search(preview.text).group(1)
    token = csrf_of(preview.text)
    forged = admin.post(
        "/admin/users/import/confirm", data={"payload": payload[:-2] + "xx", "csrf_token": token}
    )
    assert forged.status_code == 400
    # one of the addresses gets an account before the confirmation: all or nothing
    with app.extensions["workflow"].db.begin() as connection:
        from workflow.services.users import create_user

        create_user(connection, "new2@example.com", "먼저 가입")
    before = _counts(app)
    stale = admin.post("/admin/users/import/confirm", data={"payload": payload, "csrf_token": token})
    assert stale.status_code == 409 and "아무것도 만들지 않았습니다" in stale.text
    assert _counts(app) == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("r.csv", b"name,email\r\n" + b"a,a@b.kr\r\n" * 501, "행이 너무 많습니다"),
        ("r.csv", b"x" * (spreadsheet_rows.MAX_BYTES + 1), "파일이 너무 큽니다"),
        ("r.txt", b"name,email\r\na,a@b.kr\r\n", ".csv 또는 .xlsx"),
        ("r.xlsx", b"PK\x03\x04 not really a zip", "읽을 수 없습니다"),
        ("r.csv", b"nom,courriel\r\na,a@b.kr\r\n", "첫 행"),
        ("r.csv", b"name,email\r\n", "평가위원이 없습니다"),
    ],
)
def test_files_refused_as_a_whole(app, admin, name, data, message):
    response = _upload(admin, name, data)
    assert response.status_code == 400 and message in response.text


def test_hostile_cells(app):
    programs = app.extensions["workflow"].registry.current
    rows = spreadsheet_rows.read_rows(
        "r.csv",
        csv_bytes(
            [HEADER, ["이름\x00", "nul@example.com", "", "", ""], ["+1", "plus@example.com", "@x", "", ""]]
        ),
    )
    parsed = reviewer_import.parse(rows, programs)
    assert ("control", "name") in parsed[0].problems
    assert ("formula", "name") in parsed[1].problems and ("formula", "organisation") in parsed[1].problems
    # a formula in an XLSX is never evaluated: its cached value (none, here) is what counts
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["=1+1", "calc@example.com", "", "", ""])
    out = io.BytesIO()
    workbook.save(out)
    parsed = reviewer_import.parse(spreadsheet_rows.read_rows("r.xlsx", out.getvalue()), programs)
    assert ("no_name", "") in parsed[0].problems


def test_non_admins_cannot_import(app, web_people):
    officer = app.test_client()
    login(officer, web_people.officer)
    assert officer.get("/admin/users/import").status_code == 403
    token = csrf_of(officer.get("/").text)
    assert (
        officer.post("/admin/users/import/confirm", data={"payload": "x", "csrf_token": token}).status_code
        == 403
    )


def test_a_title_two_programs_share_is_refused_not_granted_on_either(sqlite_engine, clock, tmp_path):
    rules = _rules(
        tmp_path, ("youth-startup", "디지털헬스케어 창업지원"), ("green-startup", "친환경 창업지원")
    )
    app = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))
    rows = [
        ["이름", "이메일", "사업"],
        ["김평가", "kim@univ.ac.kr", "디지털헬스케어 창업지원"],
        ["이심사", "lee@univ.ac.kr", "youth-startup; 친환경 창업지원"],
    ]
    shared, named = reviewer_import.parse(rows, app.extensions["workflow"].registry.current)
    assert shared.programs == [] and shared.problems == [
        ("ambiguous_program", "디지털헬스케어 창업지원 (startup-support, youth-startup)")
    ]
    assert named.programs == ["youth-startup", "green-startup"] and named.problems == []
