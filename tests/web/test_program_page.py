"""The program page reads like a call for applications (공고): from the rule file's announcement, rubric and
first form; a program that has not opened yet says when it opens."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Clock
from tests.web.conftest import make_app


def test_the_call_shows_everything_an_applicant_prepares(client):
    page = client.get("/programs/startup-support").text
    for expected in (
        "신청 자격",
        "창업 7년 이내의 디지털헬스케어 분야 중소기업",
        "지원 내용",
        "기업당 최대 1억원",
        "추진 일정",
        "발표평가(예정)",
        "평가 기준",
        "사업화 가능성",
        "인허가 경로",
        ">100<",  # the rubric's total
        "제출 서류",
        "사업계획서(PDF) (PDF, 20MB 이하)",
        "국세·지방세 완납증명서",
        "문의처",
        "support@grants.example.kr",
        "자주 묻는 질문",
        "예비창업자도 신청할 수 있나요?",
    ):
        assert expected in page, expected
    assert "규칙 버전" not in page and "2026.3" not in page


def test_the_call_in_english(client):
    page = client.get("/programs/startup-support", headers={"Accept-Language": "en"}).text
    assert "Who may apply" in page and "Digital-healthcare SMEs" in page
    assert "How applications are evaluated" in page and "Rule version" not in page


def test_a_program_not_yet_open_says_when_it_opens(sqlite_engine, tmp_path):
    before = Clock(datetime(2026, 2, 1, 1, 0, tzinfo=UTC))
    client = make_app(sqlite_engine, before, tmp_path).test_client()
    listing = client.get("/programs").text
    assert "2026-03-01 접수 시작" in listing
    page = client.get("/programs/startup-support").text
    assert "2026-03-01 접수 시작" in page and 'class="badge closed"' not in page
    assert "2026-03-01 00:00부터 신청할 수 있습니다." in page
    assert "신청서 작성 시작" not in page
