"""The reviewer's pages (issue 16): only stages marked for review, rubric help, live total, drafts not
counted, the review deadline, the confidentiality pledge once, inline PDFs, and the parties to check."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from tests.conftest import RULES_DIR, TEMPLATES_DIR
from tests.factories import AGREEMENT, reviewed_startup, startup_data, submitted_startup
from tests.web.conftest import login, make_app, people_with_passwords, post_form
from workflow.definitions.registry import DefinitionRegistry
from workflow.engine.context import reviews_summary
from workflow.models import ReviewAssignment, ReviewerPledge
from workflow.services import reviews


def _in_review(workflow, people, store, **overrides) -> int:
    app_id = submitted_startup(workflow, people, store, **overrides)
    assert workflow.fire(app_id, "pass_screening", people.officer).ok
    assert reviews.assign(workflow, app_id, people.reviewer1.id, people.officer).ok
    return app_id


def _ready(workflow, people, app_id) -> None:
    reviews.accept_pledge(workflow, people.reviewer1)
    assert reviews.declare(workflow, app_id, people.reviewer1, "none").ok


def test_reviewers_never_see_the_agreement_stage(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, web_people, store)
    assert workflow.fire(app_id, "select", web_people.officer).ok
    assert workflow.fire(app_id, "sign_agreement", web_people.applicant, data=AGREEMENT).ok
    client = app.test_client()
    login(client, web_people.reviewer1)
    page = client.get(f"/review/{app_id}").text
    assert "불면증" in page  # the application stage is shown
    for hidden in (AGREEMENT["bank_account"], AGREEMENT["bank_name"], "계좌번호", "서명인", "협약 조건"):
        assert hidden not in page


def test_the_shipped_rule_files_show_reviewers_the_first_stage_only():
    registry = DefinitionRegistry(RULES_DIR, TEMPLATES_DIR)
    registry.load()
    startup = registry.latest("startup-support")
    assert "summary" in startup.review_fields and "business_plan" in startup.review_fields
    assert not {"bank_account", "signatory", "accept_terms", "interim_summary"} & set(startup.review_fields)
    exception = registry.latest("regulation-exception")
    assert set(exception.review_fields) == {f.name for f in exception.first_stage_fields}


def test_a_stage_marked_for_review_is_shown_and_an_unmarked_first_stage_hidden(
    sqlite_engine, clock, tmp_path
):
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (RULES_DIR / "startup-support.yaml").read_text(encoding="utf-8")
    text = text.replace("review_visible: true ", "review_visible: false ").replace(
        "review_visible: false  # bank", "review_visible: true  # bank"
    )
    (rules / "startup-support.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(RULES_DIR / "demo", rules / "demo")
    program = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules)).extensions["workflow"]
    fields = program.registry.latest("startup-support").review_fields
    assert "bank_account" in fields and "summary" not in fields


def test_the_rubric_shows_description_guide_and_a_live_total(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _in_review(workflow, web_people, store)
    _ready(workflow, web_people, app_id)
    client = app.test_client()
    login(client, web_people.reviewer1)
    page = client.get(f"/review/{app_id}").text
    assert "기술·서비스의 차별성과 임상적 근거" in page  # description
    assert "25~30점: 국내외에 유사 사례가 없고" in page  # scoring guide
    assert "data-rubric-total" in page and "/static/js/rubric.js" in page and "/ 100" in page
    script = client.get("/static/js/rubric.js")
    assert script.status_code == 200 and "data-rubric-score" in script.text
    script.close()


def test_a_draft_is_kept_for_the_reviewer_and_not_counted(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _in_review(workflow, web_people, store)
    _ready(workflow, web_people, app_id)
    client = app.test_client()
    login(client, web_people.reviewer1)
    url = f"/review/{app_id}"
    bad = post_form(client, url, {"action": "draft", "score_innovation": "31"})
    assert "0부터 30까지" in bad.text
    saved = post_form(client, url, {"action": "draft", "score_innovation": "22", "comment": "검토 중"})
    assert saved.status_code == 302
    page = client.get(url).text
    assert "임시 저장" in page and 'value="22"' in page and "검토 중" in page
    with workflow.db.connect() as connection:
        summary = reviews_summary(connection, app_id)
        row = connection.execute(select(ReviewAssignment)).mappings().one()
    assert summary["count"] == 0 and summary["mean"] == 0.0
    assert row["submitted_at"] is None and row["total"] is None and row["draft"]["scores"]["innovation"] == 22
    post_form(
        client, url, {"score_innovation": "22", "score_feasibility": "30", "score_regional_impact": "20"}
    )
    with workflow.db.connect() as connection:
        row = connection.execute(select(ReviewAssignment)).mappings().one()
    assert row["total"] == 72 and row["draft"] is None


def test_the_review_deadline_is_shown_when_the_step_has_one(sqlite_engine, clock, tmp_path, store):
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (RULES_DIR / "startup-support.yaml").read_text(encoding="utf-8")
    marker = "    expect: {ko: 평가위원 심사가 진행 중입니다., en: The evaluation panel is reviewing your application.}\n    review: true\n"
    assert marker in text
    text = text.replace(marker, marker + "    deadline: {days: 7, on_expiry: {notice: screening_overdue}}\n")
    (rules / "startup-support.yaml").write_text(text, encoding="utf-8")
    app = make_app(sqlite_engine, clock, tmp_path, RULES_DIR=str(rules))
    people = people_with_passwords(app)
    workflow = app.extensions["workflow"]
    app_id = _in_review(workflow, people, store)
    _ready(workflow, people, app_id)
    client = app.test_client()
    login(client, people.reviewer1)
    page = client.get(f"/review/{app_id}").text
    assert "평가 마감" in page and "2026-05-11 18:00 KST" in page


def test_the_pledge_is_accepted_once_before_the_first_review(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _in_review(workflow, web_people, store)
    client = app.test_client()
    login(client, web_people.reviewer1)
    gate = client.get(f"/review/{app_id}/declare")
    assert gate.status_code == 302 and "/review/pledge" in gate.headers["Location"]
    refused = post_form(client, f"/review/pledge?next={app_id}", {}, page_url="/review/pledge")
    assert refused.status_code == 200 and "동의" in refused.text
    accepted = post_form(client, f"/review/pledge?next={app_id}", {"accept": "y"}, page_url="/review/pledge")
    assert accepted.headers["Location"].endswith(f"/review/{app_id}/declare")
    with workflow.db.connect() as connection:
        pledges = connection.execute(select(ReviewerPledge)).mappings().all()
    assert [p["user_id"] for p in pledges] == [web_people.reviewer1.id]
    assert pledges[0]["accepted_at"] is not None
    assert client.get(f"/review/{app_id}/declare").status_code == 200
    assert "2026-05-04" in client.get("/review/pledge").text  # when it was accepted


def test_pdfs_open_inline_for_a_conflict_free_reviewer_only(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _in_review(workflow, web_people, store)
    with workflow.db.connect() as connection:
        file_id = reviews_file_id(connection, app_id)
    client = app.test_client()
    login(client, web_people.reviewer1)
    reviews.accept_pledge(workflow, web_people.reviewer1)
    assert client.get(f"/review/{app_id}/files/{file_id}").status_code == 404  # before the declaration
    assert reviews.declare(workflow, app_id, web_people.reviewer1, "none").ok
    assert f"/review/{app_id}/files/{file_id}" in client.get(f"/review/{app_id}").text
    response = client.get(f"/review/{app_id}/files/{file_id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF")
    response.close()
    assert client.get(f"/review/{app_id}/files/nosuchfile").status_code == 404


def reviews_file_id(connection, app_id: int) -> str:
    from workflow.models import Application

    data = connection.execute(select(Application.data).where(Application.id == app_id)).scalar_one()
    return data["business_plan"]["id"]


def test_the_conflict_check_names_the_company_representative_and_participants(app, web_people, store):
    workflow = app.extensions["workflow"]
    app_id = _in_review(workflow, web_people, store, participants="김연구 (한림대학교)\n박개발 (헬스온)")
    reviews.accept_pledge(workflow, web_people.reviewer1)
    client = app.test_client()
    login(client, web_people.reviewer1)
    page = client.get(f"/review/{app_id}/declare").text
    assert "헬스온 주식회사" in page and "대표자" in page and "한대표" in page
    assert "참여 인력" in page and "김연구 (한림대학교)" in page and "박개발 (헬스온)" in page
    assert "불면증" not in page
    assert startup_data(store)["representative"] == "한대표"
