"""fire(): every refusal is specific, bilingual and writes nothing; a success writes everything once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tests.conftest import make_workflow
from tests.engine.programs import GRANT
from tests.factories import AGREEMENT, reviewed_startup, startup_data, submitted_startup
from workflow.models import Application, HistoryEvent, OutboxMessage, Timer

ENGINE_RULES = Path(__file__).parent / "rules"


def counts(workflow, app_id):
    with workflow.db.connect() as connection:
        events = connection.execute(
            select(func.count()).where(HistoryEvent.application_id == app_id)
        ).scalar()
        outbox = connection.execute(
            select(func.count()).where(OutboxMessage.application_id == app_id)
        ).scalar()
        row = connection.execute(
            select(Application.state, Application.row_version).where(Application.id == app_id)
        ).one()
    return events, outbox, row.state, row.row_version


def assert_refused(result, code, before, workflow, app_id):
    assert not result.ok
    assert result.refusal.code == code, result.reason("en")
    assert result.reason("ko") and result.reason("en") and result.reason("ko") != result.reason("en")
    assert counts(workflow, app_id) == before, "a refusal must write nothing"


def test_submit_writes_state_event_outbox_and_timer_in_one_go(workflow, people, store):
    created = workflow.create(GRANT, people.applicant, startup_data(store))
    assert created.ok and created.state == "draft"
    result = workflow.fire(created.application_id, "submit", people.applicant)
    assert result.ok and (result.previous_state, result.state) == ("draft", "screening")
    events, outbox, state, version = counts(workflow, created.application_id)
    assert (events, outbox, state) == (2, 1, "screening")
    with workflow.db.connect() as connection:
        event = connection.execute(select(HistoryEvent).where(HistoryEvent.seq == 2)).mappings().one()
        timer = connection.execute(select(Timer)).mappings().one()
    assert event["actor_roles"] == ["applicant"] and event["trigger"] == "submit"
    assert timer["state"] == "screening" and timer["status"] == "pending"
    # 14 days at 18:00 Seoul = 09:00 UTC
    assert (timer["due_at"] - workflow.clock()).days == 14 and timer["due_at"].hour == 9


def test_unknown_trigger(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    before = counts(workflow, app_id)
    assert_refused(
        workflow.fire(app_id, "launch_rocket", people.officer), "unknown_trigger", before, workflow, app_id
    )


def test_trigger_not_allowed_from_current_state_names_who_moved_it(db_engine, clock, people):
    workflow = make_workflow(db_engine, clock, ENGINE_RULES)  # labels from the test's own rule file
    app_id = workflow.create("panel", people.applicant, {"title": "12345"}).application_id
    assert workflow.fire(app_id, "submit", people.applicant).ok
    before = counts(workflow, app_id)
    result = workflow.fire(app_id, "close", people.officer)
    assert_refused(result, "not_from_state_changed", before, workflow, app_id)
    assert "applicant did 'Send' at 2026-05-04 10:00 KST" in result.reason("en")
    assert "'보내기'" in result.reason("ko") and "'종결'" in result.reason("ko")


def test_role_that_may_not_fire(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    before = counts(workflow, app_id)
    result = workflow.fire(app_id, "pass_screening", people.finance)
    assert_refused(result, "role_not_allowed", before, workflow, app_id)
    assert "program officer" in result.reason("en") and "사업담당자" in result.reason("ko")


def test_applicant_cannot_act_on_someone_elses_application(workflow, people, store):
    created = workflow.create(GRANT, people.applicant, startup_data(store))
    before = counts(workflow, created.application_id)
    result = workflow.fire(created.application_id, "submit", people.other)
    assert_refused(result, "not_your_application", before, workflow, created.application_id)


def test_officer_of_another_program_is_refused(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    before = counts(workflow, app_id)
    assert_refused(
        workflow.fire(app_id, "pass_screening", people.other_officer),
        "not_your_application",
        before,
        workflow,
        app_id,
    )


def test_auditor_reads_but_never_changes(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    before = counts(workflow, app_id)
    assert_refused(
        workflow.fire(app_id, "pass_screening", people.auditor), "role_not_allowed", before, workflow, app_id
    )


def test_false_guard_gives_the_rule_files_message(workflow, people, store):
    created = workflow.create(GRANT, people.applicant, startup_data(store, own_cash=1_000_000))
    before = counts(workflow, created.application_id)
    result = workflow.fire(created.application_id, "submit", people.applicant)
    assert_refused(result, "guard_failed", before, workflow, created.application_id)
    assert "at least 10%" in result.reason("en") and "10% 이상" in result.reason("ko")


def test_stale_row_version_tells_who_changed_it_and_when(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    with workflow.db.connect() as connection:
        seen_version = connection.execute(
            select(Application.row_version).where(Application.id == app_id)
        ).scalar()
    assert workflow.fire(app_id, "request_changes", people.officer, reason="사업자등록증 누락").ok
    before = counts(workflow, app_id)
    result = workflow.fire(app_id, "withdraw", people.applicant, expected_version=seen_version)
    assert_refused(result, "stale", before, workflow, app_id)
    assert "officer did 'Request changes'" in result.reason("en")
    assert "2026-05-04 10:00 KST" in result.reason("en")


def test_reason_required(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    before = counts(workflow, app_id)
    assert_refused(
        workflow.fire(app_id, "request_changes", people.officer, reason="  "),
        "reason_required",
        before,
        workflow,
        app_id,
    )
    assert workflow.fire(app_id, "request_changes", people.officer, reason="서류 보완").ok


def test_data_failing_field_validation_keeps_each_fields_error(workflow, people, store):
    created = workflow.create(GRANT, people.applicant, {})
    before = counts(workflow, created.application_id)
    result = workflow.fire(
        created.application_id,
        "submit",
        people.applicant,
        data={"business_no": "12345", "contact_email": "not-an-email", "employees": "many"},
    )
    assert_refused(result, "invalid_data", before, workflow, created.application_id)
    assert set(result.errors) == {"business_no", "contact_email", "employees"}
    assert "123-45-67890" in result.errors["business_no"].text("en")
    assert "사업자등록번호" in result.errors["business_no"].text("ko")


def test_data_for_a_field_not_editable_now_is_refused(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    before = counts(workflow, app_id)
    result = workflow.fire(app_id, "withdraw", people.applicant, data={"requested_amount": 99_000_000})
    assert_refused(result, "unknown_field", before, workflow, app_id)


def test_incomplete_stage_blocks_submit_and_lists_fields(workflow, people, store):
    created = workflow.create(GRANT, people.applicant, {"company_name": "헬스온"})
    before = counts(workflow, created.application_id)
    result = workflow.fire(created.application_id, "submit", people.applicant)
    assert_refused(result, "stage_incomplete", before, workflow, created.application_id)
    assert "Business plan (PDF)" in result.reason("en") and "company_name" not in result.errors


def test_unknown_application_and_program(workflow, people):
    assert workflow.fire(999_999, "submit", people.applicant).refusal.code == "unknown_application"
    result = workflow.create("no-such-program", people.applicant)
    assert result.refusal.code == "unknown_program"


def test_program_closed_outside_its_open_period(workflow, people, clock, store):
    clock.advance(days=365)
    result = workflow.create(GRANT, people.applicant, startup_data(store))
    assert result.refusal.code == "program_closed" and "2026-12-31" in result.reason("en")


def test_draft_save_is_one_event_and_an_unchanged_save_none(workflow, people, store):
    created = workflow.create(GRANT, people.applicant, {})
    saved = workflow.save_draft(
        created.application_id, people.applicant, {"company_name": "헬스온", "employees": "12"}
    )
    assert saved.ok
    with workflow.db.connect() as connection:
        data = connection.execute(select(Application.data)).scalar()
    assert data == {"company_name": "헬스온", "employees": 12}
    assert counts(workflow, created.application_id)[0] == 2, (
        "nothing changes an application outside the chain"
    )
    again = workflow.save_draft(created.application_id, people.applicant, {"company_name": "헬스온"})
    assert again.ok and counts(workflow, created.application_id)[0] == 2
    refused = workflow.save_draft(created.application_id, people.other, {"company_name": "탈취"})
    assert refused.refusal.code == "not_editable"


def test_reviewer_must_declare_before_acting(workflow, people, store):
    from workflow.services import reviews

    app_id = submitted_startup(workflow, people, store, GRANT)
    workflow.fire(app_id, "pass_screening", people.officer)
    reviews.assign(workflow, app_id, people.reviewer1.id, people.officer)
    scored = reviews.submit(
        workflow, app_id, people.reviewer1, {"innovation": 30, "feasibility": 40, "regional_impact": 30}
    )
    assert scored.refusal.code == "conflict_not_declared"
    assert reviews.declare(workflow, app_id, people.reviewer1, "recusal", "former employee").ok
    again = reviews.submit(
        workflow, app_id, people.reviewer1, {"innovation": 30, "feasibility": 40, "regional_impact": 30}
    )
    assert not again.ok


def test_automatic_transition_recorded_as_system(workflow, people, store):
    app_id = reviewed_startup(workflow, people, store, program=GRANT)
    with workflow.db.connect() as connection:
        last = (
            connection.execute(
                select(HistoryEvent)
                .where(HistoryEvent.application_id == app_id)
                .order_by(HistoryEvent.seq.desc())
            )
            .mappings()
            .first()
        )
    assert (last["trigger"], last["actor_name"], last["actor_id"], last["to_state"]) == (
        "reviews_complete",
        "system",
        None,
        "selection",
    )


def test_award_commits_budget_and_tranche_two_waits_for_interim_approval(workflow, people, store):
    app_id = reviewed_startup(workflow, people, store, program=GRANT)
    assert workflow.fire(app_id, "select", people.officer).ok
    assert workflow.fire(app_id, "sign_agreement", people.applicant, data=AGREEMENT).ok
    assert workflow.fire(app_id, "pay_first_tranche", people.finance).ok
    blocked = workflow.fire(app_id, "submit_interim", people.applicant)
    assert blocked.refusal.code == "stage_incomplete"


def test_admin_move_needs_admin_and_reason_and_is_recorded(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    assert workflow.admin_move(app_id, "draft", people.officer, "fix").refusal.code == "admin_only"
    assert workflow.admin_move(app_id, "draft", people.admin, "").refusal.code == "reason_required"
    assert workflow.admin_move(app_id, "nowhere", people.admin, "x").refusal.code == "unknown_state"
    moved = workflow.admin_move(app_id, "draft", people.admin, "신청인 요청으로 제출 취소")
    assert moved.ok and moved.state == "draft"
    with workflow.db.connect() as connection:
        event = connection.execute(select(HistoryEvent).order_by(HistoryEvent.id.desc())).mappings().first()
        timers = connection.execute(select(Timer.status)).scalars().all()
    assert event["trigger"] == "admin_move" and event["reason"] == "신청인 요청으로 제출 취소"
    assert timers == ["cancelled"]


def test_decision_outcome_chooses_the_transition(workflow, people, store):
    app_id = submitted_startup(workflow, people, store, GRANT)
    unknown = workflow.decide(app_id, "screening", "maybe", people.officer)
    assert unknown.refusal.code == "unknown_trigger"
    needs_reason = workflow.decide(app_id, "screening", "changes", people.officer)
    assert needs_reason.refusal.code == "reason_required"
    decided = workflow.decide(app_id, "screening", "changes", people.officer, reason="재무제표 누락")
    assert decided.ok and decided.state == "changes_requested"
    wrong_state = workflow.decide(app_id, "selection", "select", people.officer)
    assert wrong_state.refusal.code == "not_from_state_changed"


def test_a_cycle_of_automatic_transitions_stops(db_engine, clock, people, tmp_path):
    from tests.conftest import make_workflow
    from workflow.engine.core import MAX_AUTOMATIC_STEPS

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "loop.yaml").write_text(
        """key: loop
version: "1"
kind: event
title: {ko: 순환, en: Loop}
roles: [applicant]
states:
  draft: {initial: true}
  ping: {}
  pong: {}
  done: {final: true}
transitions:
  - {trigger: start, from: draft, to: ping, roles: [applicant]}
  - {trigger: to_pong, from: ping, to: pong, roles: [system], auto: true, guard: "true", guard_message: {ko: 예, en: go}}
  - {trigger: to_ping, from: pong, to: ping, roles: [system], auto: true, guard: "true", guard_message: {ko: 예, en: go}}
  - {trigger: finish, from: [ping, pong], to: done, roles: [applicant]}
""",
        encoding="utf-8",
    )
    workflow = make_workflow(db_engine, clock, rules)
    app_id = workflow.create("loop", people.applicant).application_id
    result = workflow.fire(app_id, "start", people.applicant)
    assert result.ok and len(result.automatic) == MAX_AUTOMATIC_STEPS
    assert result.event_seq == 2 + MAX_AUTOMATIC_STEPS
